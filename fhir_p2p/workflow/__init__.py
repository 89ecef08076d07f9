"""The P2P workflow: payer policies as data (`policy`), deadline arithmetic (`calendar`) and the
assessment of a prior-authorization determination (`assess`). Pure code: no Flask, no database."""

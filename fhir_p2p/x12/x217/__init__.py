"""005010X217 (278 Health Care Services Review): the request and response layouts and typed segments.

The loop tree (request | response where they differ; `pos` order; R required, S situational):

    ST  BHT                                         BHT02 13 request (01 cancel) | 11 response
    2000A  UMO level                 R  HL*20       | AAA x9
      2010A  UMO name                R  NM1*X3      | PER x3, AAA x9
      2000B  requester level         R  HL*21
        2010B  requester name        R  NM1*1P|FA, REF x8, N3, N4, PER | AAA, PRV
        2000C  subscriber level      R  HL*22
          2010C  subscriber name     R  NM1*IL, REF x9, N3, N4, | AAA, DMG, INS
          2000D  dependent level     S  HL*23
            2010D  dependent name    R  NM1*QC, REF x9, N3, N4, | AAA, DMG, INS
            2000E  patient event     R  (as below, when there is a dependent)
          2000E  patient event       S  HL*EV, TRN x2|x3, | AAA x9, UM, | HCR, REF*BB, REF*NT,
                                        DTP (439 484 ABC 431 AAH 435 096 | 102 036 007), HI, HSD,
                                        CRC x7 |, CL1, CR1, CR2, CR5, CR6, PWK x10, MSG
            2010EA  event provider   S x12  NM1, REF x7, N3, N4, PER, | AAA, PRV
            2010EB  transport x5 | additional information contact x1 (NM1, N3, N4, PER x3)
            2010EC  other UMO x3 (NM1*X3, REF, DTP) | transport x5
            2000F  service           S >1  HL*SS, TRN x1|x3, | AAA, UM, | HCR, REF*BB, REF*NT,
                                        DTP*472 | 102 036 007, SV1, SV2, HSD, PWK x10, MSG
              2010F | 2010FA  service provider  S x25  NM1, REF x7, N3, N4, PER, | AAA, PRV
              | 2010FB  additional service information contact x1
    SE

Exactly one 2000E must occur (under 2000D when present, otherwise under 2000C). HL01 numbers the
levels from 1, HL02 names the enclosing level's HL01 and HL04 says whether levels follow below.
Not modelled (reported as unexpected): dental SV3/TOO, CR4/CR7/CR8, N2.
"""

from __future__ import annotations

from fhir_p2p.x12.layout import TransactionLayout
from fhir_p2p.x12.x217 import segments as segments  # registers the typed segments for the reader
from fhir_p2p.x12.x217.request import REQUEST
from fhir_p2p.x12.x217.response import RESPONSE

VERSION = "005010X217"

__all__ = ["REQUEST", "RESPONSE", "VERSION", "layout_for"]


def layout_for(purpose: str) -> TransactionLayout:
    """The layout for a BHT02 value: `11` is a response, anything else is read as a request."""
    return RESPONSE if purpose == "11" else REQUEST

"""Structured logging with structlog: JSON lines (or console), a request id bound per request, no PHI.

What may be logged: ids, resource types, codes, counts, statuses, durations. Never names, member
ids, query strings (they can carry names) or resource bodies.
"""

from __future__ import annotations

import logging
import sys

import structlog


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Configure structlog and the stdlib root logger once per process."""
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping().get(level, logging.INFO)),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> structlog.typing.FilteringBoundLogger:
    logger: structlog.typing.FilteringBoundLogger = structlog.get_logger(name)
    return logger


def bind_request(request_id: str) -> None:
    """Start a request's log context: every line logged until `clear_request` carries the id."""
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id)


def bind_client(client_id: str) -> None:
    """Add the authenticated client's id to every line logged for the rest of the request."""
    structlog.contextvars.bind_contextvars(client_id=client_id)


def clear_request() -> None:
    structlog.contextvars.clear_contextvars()

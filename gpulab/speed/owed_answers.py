"""Write some jsii requests without waiting for their answers, and read those answers later, in order.

Saves: what async_creates.py and claimed_tokens.py measure, whose mechanism
this is. Depends on: jsii's `_NodeProcess.send`, `_serializer` and answer types.

Python writes a claimed `create` (async_creates.py) or read
(claimed_tokens.py), hands it to the kernel at once and returns: the kernel
works on it while Python builds the next. (Left in the channel's 8 KB buffer
until it filled, a dozen requests reached the kernel together and it sat idle
meanwhile: flushing each is 1.07× faster, docs/speed.md.)

The kernel answers in the order requests arrive, so the answers owed are
read, in order, before any other request is sent, before the kernel is
stopped, and whenever MOST_OWED are owed: once the channel is full of unread
answers the kernel blocks writing, stops reading, and Python's next write
never returns. A socket pair holds about 450 create answers on Linux by
default but 8 KB on macOS; kernel.py asks for 1 MiB, and 64 answers of at
most about 110 bytes fit in 8 KB.

An owed answer that is an error raises, there, the error jsii would have
raised for its request, with a note naming it; the answers owed after it are
read first, so the channel stays in step. An answer that is, byte for byte,
the line expected (a claimed id or token) is taken without decoding it.
"""

from __future__ import annotations

import json
from collections import deque
from typing import Protocol

from gpulab.speed import async_creates, claimed_tokens

MOST_OWED = 64  # answers left unread at most: see above


class Owed(Protocol):
    """A request written without waiting for its answer."""

    expected_line: bytes | None  # the kernel's answer, byte for byte, when it is as expected (None: not known)

    def accept(self, answer) -> None:
        """Check the kernel's answer; raise jsii's error if it is not the one expected."""

    def failure(self, error: str, name: str, stack: str) -> Exception:
        """The error jsii would have raised had the kernel answered this error at once."""


def jsii_error(message: str, name: str, stack: str, note: str | None = None) -> Exception:
    """The exception jsii's `send` raises for an error answer, with the JavaScript stack as its cause.

    `note`, if given, says which request sent ahead it answers.
    """
    from jsii._kernel.providers.process import ErrorType
    from jsii.errors import JavaScriptError, JSIIError

    error = JSIIError(message) if name == ErrorType.JSII_FAULT.value else RuntimeError(message)
    error.__cause__ = JavaScriptError(stack)
    if note is not None:
        error.add_note(note)
    return error


class OwedAnswers:
    """A mixin for jsii's `_NodeProcess`: claimed creates and reads are written at once, their answers read later."""

    _owed: deque[Owed] | None = None
    object_ids: async_creates.ObjectIdClaims | None = None  # set when the kernel takes claimed ids
    token_claims: claimed_tokens.TokenClaims | None = None  # set when it also takes claimed token keys

    def send(self, request, response_type):
        from jsii._kernel.types import CreateRequest, GetRequest, InvokeRequest

        if getattr(self._process.stdout, "working", False):  # import_ahead.py's work while waiting may not
            raise RuntimeError(f"gpulab: a {type(request).__name__} while waiting for the kernel's answer")
        if isinstance(request, CreateRequest) and self.object_ids is not None:
            ref = self.object_ids.claim(request)
            if ref is not None:
                self._write_owed(request, async_creates.OwedCreate(request, ref), {async_creates.CLAIM_KEY: ref.ref})
                return ref
        if isinstance(request, (GetRequest, InvokeRequest)) and self.token_claims is not None:
            read = self.token_claims.claim(request)
            if read is not None:
                self._write_owed(request, read, {claimed_tokens.CLAIM_KEY: read.key})
                return read.response
        if self._owed:
            self.collect_owed_answers()
        return super().send(request, response_type)

    def _write_owed(self, request, owed: Owed, extra: dict | None = None) -> None:
        """Write `request` the way jsii's `send` does (plus `extra` keys), without reading the answer."""
        from jsii._kernel.providers.process import capture_stack_trace, jdefault
        from jsii._stack_trace import is_enabled as stack_traces_enabled

        data = self._serializer.unstructure(request)
        if extra:
            data.update(extra)
        if stack_traces_enabled() and (stack_trace := capture_stack_trace()):
            data["$jsii.stacktrace"] = stack_trace
        self._process.stdin.write(b"%b\n" % (json.dumps(data, default=jdefault, separators=(",", ":")).encode("utf8"),))
        self._process.stdin.flush()
        if self._owed is None:
            self._owed = deque()
        self._owed.append(owed)
        if len(self._owed) >= MOST_OWED:
            self.collect_owed_answers()

    def collect_owed_answers(self) -> None:
        """Read every answer owed, in order; the first that is an error (or unexpected) raises."""
        from jsii._kernel.providers import process
        from jsii.errors import JSIIError

        if not self._owed:
            return  # nothing owed, so nothing waits in the buffer either
        first_error: Exception | None = None
        self._process.stdin.flush()
        while self._owed:
            owed = self._owed.popleft()
            line = self._process.stdout.readline()
            if line == owed.expected_line:
                continue
            answer = self._serializer.structure(self._decode_answer(line), process._ProcessResponse)
            try:
                if isinstance(answer, process._OkayResponse):
                    owed.accept(answer.ok)
                elif isinstance(answer, process._ErrorResponse):
                    raise owed.failure(answer.error, answer.name, answer.stack)
                else:  # a callback: cannot happen while no object calls back (async_creates.py)
                    raise JSIIError(f"the kernel called back while answering a request sent ahead: {answer!r}")
            except (JSIIError, RuntimeError) as error:
                first_error = first_error or error
        if first_error is not None:
            raise first_error

    def _decode_answer(self, line: bytes):
        """An answer line as jsii's `_next_message` decodes it."""
        from jsii._kernel.providers.process import ohook

        return json.loads(line, object_hook=ohook)

    def settle_owed_answers(self) -> Exception | None:
        """Wait for every answer still owed, before the kernel is stopped; the first error among them, if any.

        An error answered for a request sent ahead is returned, never dropped:
        the caller reports it (kernel.py fails the program's exit with it).
        """
        from jsii.errors import JSIIError

        try:
            self.collect_owed_answers()
        except (JSIIError, RuntimeError) as error:
            return error
        except (OSError, ValueError):
            if self._owed:
                self._owed.clear()  # the kernel is gone
        return None

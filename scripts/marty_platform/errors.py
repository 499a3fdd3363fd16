"""Errors that stop a run. Everything else is a finding and the run goes on."""


class MartyError(Exception):
    """A usage, configuration or tooling error: exit code 2, one line, no traceback."""

    exit_code = 2


class UsageError(MartyError):
    pass


class ToolError(MartyError):
    """A required external tool is missing, or failed in a way that is not about the input."""


class ToolFailed(ToolError):
    """A tool ran but did not do its job: it could not be started, timed out, exited with a code
    its caller did not declare, or claimed problems without naming any. Never a pass.

    `detail` is the tool's own output, already cleaned (see tools.runner.clean_output) and
    bounded from its start; `last_line` is the last line of that output, cleaned: where a
    traceback names its exception. The message is one line naming the tool and what it was run
    on."""

    def __init__(self, tool: str, subject: str, reason: str, detail: str = "",
                 last_line: str = ""):
        self.tool, self.subject, self.reason, self.detail = tool, subject, reason, detail
        self.last_line = last_line
        where = f" on {subject}" if subject else ""
        summary = " | ".join(line.strip() for line in detail.splitlines() if line.strip())
        super().__init__(f"{tool} failed{where}: {reason}" + (f": {summary}" if summary else ""))

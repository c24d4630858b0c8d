"""What the process holding the scheduler lease does for all the processes sharing the
store (docs/scale.md): it runs the report, pull and alert schedules, and on each heartbeat
interrupts the work of processes that stopped and plans again the schedules and sources
edited through other processes. :class:`ioc.jobs.presence.Presence` calls it."""

from __future__ import annotations

from collections.abc import Callable

from ioc.jobs.alert_schedule import AlertScheduler
from ioc.jobs.pull_schedule import PullScheduler
from ioc.jobs.runner import JobRunner
from ioc.reports.scheduler import ReportScheduler
from ioc.store import instances
from ioc.store.types import utcnow


class Duties:
    """The schedulers of one process, started while it holds the lease (``leading``)."""

    def __init__(
        self,
        runner: JobRunner,
        reports: ReportScheduler,
        pulls: PullScheduler,
        alerts: AlertScheduler,
    ) -> None:
        self.runner, self.reports, self.pulls, self.alerts = runner, reports, pulls, alerts

    def fence(self, leading: Callable[[], bool]) -> None:
        """Each scheduler asks ``leading`` before it starts due work, so that a holder whose
        lease runs out starts nothing even before its heartbeat notices."""
        self.reports.leading = self.pulls.leading = self.alerts.leading = leading

    def gain(self) -> None:
        self.reports.lead()
        self.pulls.lead()
        self.alerts.start()

    def loss(self) -> None:
        self.alerts.shutdown()
        self.pulls.follow()
        self.reports.follow()

    def held(self) -> None:
        """Each heartbeat of the holder."""
        self.runner.interrupt_orphans()
        self.pulls.tidy()
        with self.runner.session() as session:
            living = instances.alive(session, utcnow(), self.runner.settings.lease_seconds)
        if living:  # runs started before the oldest live process are nobody's
            self.reports.close_orphaned_runs(min(i.started_at for i in living))
        self.reports.refresh()
        self.pulls.refresh()

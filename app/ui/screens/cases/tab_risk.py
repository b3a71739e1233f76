"""Case tab: Risk — the risk level recorded with each assessment version, as a step chart."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.models.domain import CaseFile
from app.ui.context import UiContext
from app.ui.screens.cases.tab_common import CaseTab
from app.ui.widgets.charts import StepChart
from app.ui.widgets.common import Section
from app.ui.widgets.plain import muted


class RiskTab(CaseTab):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        v = self.body
        sec = Section("Risk level over time")
        self.chart = StepChart("Risk level history")
        self.chart.setMinimumHeight(240)
        sec.body.addWidget(self.chart)
        v.addWidget(sec)
        self.note = muted("")
        v.addWidget(self.note)
        v.addStretch(1)

    def show_case(self, cf: CaseFile) -> None:
        fw = self.ctx.snap.programme.framework
        ranks = {r.id: r.rank for r in fw.risk_levels}
        levels = [r.label for r in sorted(fw.risk_levels, key=lambda r: r.rank)]
        points = [(a.assessed_on, ranks.get(a.risk_level, 0)) for a in cf.assessments]
        self.chart.set_data(points, levels)
        self.note.setText(f"{len(points)} assessment version{'s' if len(points) != 1 else ''}. "
                          "Each point is a professional judgement recorded with its assessment.")

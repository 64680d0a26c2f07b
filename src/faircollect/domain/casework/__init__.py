"""Casework: the collectors' and supervisors' daily work as a pure domain core.

Cases and their status lifecycle, contact records (催记), the guided first call, proposals
(分期 / 减免), visits (外访), agency placements (委外) and quality inspection (质检). Nothing
here reads a clock or touches storage: dates and times are parameters, collaborators (the
gate, the screener) are injected, and every decision is a value the service layer persists.
"""

"""The reports (issue 6, SPEC §4 report column, §5, §9): read-only, computed in SQL and streamed.

One module per family:
    stages       not-assigned, not-accepted, not-contacted, not-counseled (row per request)
    orphaned     open requests whose owner or a team member left (the stages' rows)
    conversion   the funnel per chapter, district or region
    metrics      mean, median, 90th percentile of days per step, still-waiting counts, weekly trend
    mentors      mentor-activity, paused-mentors
    capacity     waiting requests against weekly mentor capacity per chapter
    common       scope, permission and period; days: fast local/business days for streaming

Import the functions from their modules (the package re-exports nothing, so that a module and
the function it is named after never shadow each other). Every function takes the store, the
acting volunteer's e-mail (or None), a Scope (or None for the actor's default) and a Period (or
None), and returns a list of plain dicts (`stages.stage_rows` yields them one at a time).
"""

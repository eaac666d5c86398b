"""What this code location offers Dagster: its assets, jobs and schedules.

The code server loads this module (`dagster code-server start -m ${{ values.packageName }}.definitions`).
"""

import dagster as dg

from . import assets

daily_revenue_job = dg.define_asset_job("daily_revenue_job", selection=dg.AssetSelection.all())

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([assets]),
    jobs=[daily_revenue_job],
    schedules=[dg.ScheduleDefinition(job=daily_revenue_job, cron_schedule="0 6 * * *")],
)

"""Jobs whose runs start work in another source folder: their sensors watch them by these definitions."""

import dagster as dg

# Run by the attendance inbox sensor (and `hr-assets attendance import`); after each, the Bayzat push and the
# staff view's refresh.
attendance_import_job = dg.define_asset_job(
    "attendance_import",
    selection=dg.AssetSelection.assets("attendance_records"),
    description="Import one fingerprint attendance file.",
)

"""The numeric ranges that the environment model and the constructs both enforce, as (low, high), both included.

Where a range is a cloud's, the comment names the page it comes from;
where it is gpulab's own choice, it says why.
"""

from __future__ import annotations

PORT = (1, 65535)
GPU_COUNT = (1, 8)  # the largest machines of every catalog carry 8
# Below 10 minutes a machine that is merely booting or pulling data would be stopped.
IDLE_STOP_MINUTES = (10, 1440)
# Over half busy is not idle: an idle threshold above 50 % stops machines that are working.
IDLE_PERCENT = (1, 50)
PERCENT = (1, 100)
CPU_ALARM_PERCENT = PERCENT
CPU_ALARM_PERIODS = (1, 24)  # 5-minute periods: up to two hours
MAX_RUN_HOURS = (1, 168)  # a week; Compute Engine's max_run_duration takes more, but a longer run is no safety net
# Daily snapshots kept up to a year: gpulab's bound, a backup, not an archive.
BACKUP_RETENTION_DAYS = (1, 365)

# EBS gp3: 1 GiB to 16 TiB (EBS User Guide, "Amazon EBS volume types"); a root volume needs 8 GiB.
EBS_GB = (1, 16384)
EXPECTED_BUCKET_GB = 1_000_000_000  # an exabyte: past any plausible bucket, so a typo in units fails validation
EBS_ROOT_GB = (8, 16384)
# Azure: an OS disk may hold up to 4 TiB (4095 GiB, "Azure managed disk types"), Ubuntu's image needs 30;
# a Premium SSD data disk 4 GiB to 32 TiB.
AZURE_OS_DISK_GB = (30, 4095)
AZURE_DATA_DISK_GB = (4, 32767)
# Compute Engine persistent disks: 10 GiB to 64 TiB ("Persistent Disk" limits).
GCE_DISK_GB = (10, 65536)

# CloudWatch Logs PutRetentionPolicy: retentionInDays takes only these values.
# fmt: off
CLOUDWATCH_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)
# fmt: on
# Log Analytics workspace retention_in_days: 30 to 730 (azurerm log_analytics_workspace docs).
LOG_ANALYTICS_RETENTION_DAYS = (30, 730)
# Cloud Logging bucket retention_days: 1 to 3650 (google_logging_project_bucket_config docs).
LOG_BUCKET_RETENTION_DAYS = (1, 3650)
# Cinder volume sizes gpulab accepts (GB); a site's quota may be lower.
OPENSTACK_VOLUME_GB = (1, 16384)

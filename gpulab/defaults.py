"""gpulab's defaults, in one place: the environment model and the constructs share them.

Cloud-free on purpose, so validating a file never loads cdktf.
"""

VPC_CIDR = "10.0.0.0/16"
AVAILABILITY_ZONES = 2
PORTS = {"ssh": 22, "jupyter": 8888, "tensorboard": 6006}
ROOT_DISK_GB = 100
DATA_DISK_GB = 100
IDLE_STOP_MINUTES = 60
IDLE_PERCENT = 5
# Per cloud: CloudWatch keeps 7 days cheaply; Log Analytics and Cloud Logging include 30 days in their price.
LOG_RETENTION_DAYS = {"aws": 7, "azure": 30, "gcp": 30}
CPU_ALARM_PERCENT = 80
CPU_ALARM_PERIODS = 2
# Seed 004's disk alarm: a disk more than 85 % full.
DISK_ALARM_PERCENT = 85
ALARM_PERIOD_MINUTES = 5
ARCHIVE_AFTER_DAYS = 90
NONCURRENT_EXPIRE_DAYS = 90
ABORT_MULTIPART_DAYS = 7
SHUTDOWN_AT = "19:00"
# Daily data-disk snapshots: at 04:00 UTC (a start time Compute Engine takes too), kept a week.
BACKUP_AT = "04:00"
BACKUP_RETENTION_DAYS = 7
SHUTDOWN_TIMEZONE = "UTC"
AZURE_ADMIN_USERNAME = "gpulab"
AZURE_SSH_PUBLIC_KEY_FILE = "~/.ssh/id_ed25519.pub"
OPENSTACK_SSH_PUBLIC_KEY_FILE = "~/.ssh/id_ed25519.pub"
# Chameleon's supported images: Ubuntu 22.04, and with CUDA for GPU nodes (seed 002's 20.04 is past its end of life).
OPENSTACK_IMAGE = "CC-Ubuntu22.04"
OPENSTACK_GPU_IMAGE = "CC-Ubuntu22.04-CUDA"
AZURE_HQ_SIZE = "Standard_D4s_v5"
AZURE_HQ_OS_DISK_GB = 30
HQ_SUBDOMAINS = ("mlflow", "tensorboard", "dashboard", "docs")
# Azure offers no archive tier on zone-redundant storage accounts.
AZURE_NO_ARCHIVE_REPLICATION = frozenset({"ZRS", "GZRS", "RAGZRS"})

# The image of AWS GPU machines: AWS's Deep Learning Base AMI (NVIDIA driver, Ubuntu 24.04), through the SSM
# parameter AWS keeps pointing at its newest release (also what `gpulab preflight` resolves).
DEEP_LEARNING_AMI_PARAMETER = (
    "/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-24.04/latest/ami-id"
)

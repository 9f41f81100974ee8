"""Each cloud's provider and Terraform state backend, as the stacks use them (aws.py, azure.py, gcp.py)."""

"""Talking to the clouds after deploy: machines started and stopped, state buckets made (AWS through boto3)."""

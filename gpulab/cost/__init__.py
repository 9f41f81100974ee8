"""What an environment costs, estimated offline from the catalog's prices."""

"""Identity resolution in the API: how records joined persons, what stayed unlinked, who
no survey found, businesses by TIN, household plots."""

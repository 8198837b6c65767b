"""A synthetic population and fake agencies that deliver it in the contract formats."""

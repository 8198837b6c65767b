"""The unified mahalla graph: models, migrations, sessions and bulk loading."""

"""The diagnostics served (issue 18): monthly indicator series and their revisions, the
ratings of assistants and state bodies, and per mahalla the category disagreements and the
notebook findings, all read from the tables `hub.diagnostics` precomputes."""

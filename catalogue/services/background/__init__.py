"""Background work: jobs deferred to worker processes through a durable queue in the database."""

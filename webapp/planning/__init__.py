"""Planning: the survey page a person answers, the manager's review queue and decisions, roll-up, history."""

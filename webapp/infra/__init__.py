"""Cross-cutting infrastructure: security headers, flashes, reconnects, passwords, server, jobs, exports."""

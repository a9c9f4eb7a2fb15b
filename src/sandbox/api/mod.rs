//! The REST API under /api/v1/ (being built).

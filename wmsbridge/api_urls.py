"""REST API routes of the wmsbridge app (mounted under /api/v1/, namespace "api")."""

urlpatterns: list = []

"""The pages, one module per area; each adds its routes to app.web.bp."""

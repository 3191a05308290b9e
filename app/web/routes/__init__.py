"""HTTP routers, one module per area; ``app.web.main.ROUTERS`` lists the ones mounted."""

"""The web app's pages, one module per page; each imports only web.base and the library."""

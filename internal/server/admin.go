package server

// adminRoutes registers the routes of this resource (docs/api.md).
func (s *Server) adminRoutes() {
}

package server

// customerRoutes registers the routes of this resource (docs/api.md).
func (s *Server) customerRoutes() {
}

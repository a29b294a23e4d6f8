package server

// resellerRoutes registers the routes of this resource (docs/api.md).
func (s *Server) resellerRoutes() {
}

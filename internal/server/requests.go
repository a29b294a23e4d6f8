package server

// requestRoutes registers the routes of this resource (docs/api.md).
func (s *Server) requestRoutes() {
}

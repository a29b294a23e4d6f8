package synth

// Vocabularies for synthetic company names. Everything here is a slice (never
// a map) so that picking from it is deterministic.

// language holds the words used to build company names in one language.
type language struct {
	surnames []string
	// sectors are trades and industries; sectorFirst is the per-mille chance
	// that the sector precedes the name ("Boulangerie Dupont") rather than
	// following it ("Müller Logistik").
	sectors     []string
	sectorFirst int
	places      []string
	of          string // preposition in "<sector> <of> <place>", "" for none
	// instNouns and instAdjs build institutional names such as
	// "Société Générale" or (adjFirst) "Deutsche Bank".
	instNouns []string
	instAdjs  []string
	adjFirst  bool
	and       string // connector between two surnames
	// family phrases: "et Fils", "& Söhne"; a leading '+' puts the phrase
	// before the surname ("+Fratelli" -> "Fratelli Rossi").
	family []string
	// partners ends the comma form "Rossi, Bianchi e Figli".
	partners  string
	nicknames []string // quoted: "\"Le Petit\" Café"
	venues    []string
}

// country describes one ISO 3166 alpha-2 country.
type country struct {
	code   string
	weight int
	langs  []*language
	// suffixes are the legal forms, most common first, for each entry of
	// langs (one list for all when there is a single list). A leading ','
	// attaches the suffix without a space (", Inc.").
	suffixes [][]string
	tld      string // custom domain suffix without the leading dot
}

var langEN = &language{
	surnames: []string{
		"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
		"Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Thompson", "White",
		"Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
		"Wright", "Scott", "Hill", "Green", "Adams", "Baker", "Nelson", "Carter",
		"Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans", "Edwards",
		"Collins", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper",
		"Peterson", "Reed", "Bailey", "Kelly", "Howard", "Ward", "Cox", "Richardson",
		"Wood", "Watson", "Brooks", "Bennett", "Gray", "Hughes", "Price", "Sanders",
		"Fletcher", "O'Brien", "O'Connor", "McAllister", "Whitfield", "Ashworth", "Quinn", "Yates",
		"Zimmerman", "Underwood", "Vaughn", "Irving", "Ellington", "Dalton", "Kingsley", "Oakley",
		"Galloway", "Hargreaves", "Jefferson", "Knox", "Lancaster", "Nash", "Pemberton", "Thornton",
	},
	sectors: []string{
		"Consulting", "Solutions", "Systems", "Logistics", "Technologies", "Holdings", "Partners", "Group",
		"Industries", "Services", "Software", "Networks", "Analytics", "Health", "Pharmacy", "Bakery",
		"Insurance", "Realty", "Construction", "Engineering", "Electric", "Manufacturing", "Foods", "Brewing",
		"Motors", "Media", "Studios", "Labs", "Research", "Capital", "Ventures", "Advisors",
		"Dental", "Clinic", "Legal", "Accounting", "Transport", "Freight", "Energy", "Utilities",
		"Retail", "Outfitters", "Traders", "Imports", "Supply", "Design", "Architects", "Plumbing",
		"Roofing", "Landscaping", "Security", "Telecom", "Hospitality", "Hotels", "Airlines", "Shipping",
		"Marine", "Aerospace", "Robotics", "Biotech", "Farms", "Dairy", "Vineyards", "Publishing",
		"Printing", "Education", "Academy", "Cloud", "Data", "Digital", "Interiors", "Optics",
	},
	sectorFirst: 40,
	places: []string{
		"Boston", "Chicago", "Seattle", "Denver", "Austin", "Portland", "Dallas", "Phoenix",
		"Atlanta", "Miami", "London", "Manchester", "Leeds", "Bristol", "Glasgow", "Edinburgh",
		"Cardiff", "Dublin", "Cork", "Galway", "Toronto", "Vancouver", "Calgary", "Ottawa",
		"Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide", "Yorkshire", "Kent", "Cornwall",
		"Hudson", "Cascade", "Tahoe", "Yukon", "Ozark", "Appalachian", "Mojave", "Sierra",
	},
	of: "of",
	instNouns: []string{
		"Insurance", "Logistics", "Solutions", "Systems", "Holdings", "Industries", "Services", "Bank",
		"Trust", "Energy", "Freight", "Foods", "Health", "Networks", "Supply", "Realty",
	},
	instAdjs: []string{
		"Northern", "Southern", "Eastern", "Western", "Global", "National", "United", "American",
		"British", "Pacific", "Atlantic", "Coastal", "Premier", "Summit", "Pinnacle", "Evergreen",
		"Redwood", "Silver", "Golden", "Lakeside", "Riverside", "Highland", "Metro", "Liberty",
		"Pioneer", "Heritage", "Frontier", "Granite", "Ironwood", "Maple", "Oakridge", "Sterling",
		"Apex", "Vertex", "Quantum", "Zenith", "Yellowstone", "Bluewater", "Keystone", "Juniper",
	},
	adjFirst:  true,
	and:       "and",
	family:    []string{"& Sons", "and Sons", "& Daughters", "Brothers", "& Associates", "& Partners"},
	partners:  "& Partners",
	nicknames: []string{"The Golden Lion", "Blue Moon", "Top Hat", "The Old Mill", "Red Fox", "Big Apple", "Rose & Crown"},
	venues:    []string{"Café", "Pub", "Diner", "Bistro", "Inn", "Bakery", "Grill"},
}

// brands are Microsoft's fictitious company names, used in every country.
var brands = []string{
	"Contoso", "Fabrikam", "Northwind", "Tailspin", "Wingtip", "Woodgrove", "Litware", "Proseware",
	"Adatum", "Lucerne", "Coho", "Relecloud", "Trey", "Lamna", "Humongous", "VanArsdel",
	"Southridge", "Bellows", "Alpine", "Margie's", "Munson's", "Tailwind", "Nod", "Wide World",
}

// brandNames are the canonical full forms of some of the fictitious names.
var brandNames = []string{
	"Contoso Pharmaceuticals", "Northwind Traders", "Tailspin Toys", "Wingtip Toys", "Woodgrove Bank",
	"Lucerne Publishing", "Coho Winery", "Humongous Insurance", "Wide World Importers", "Alpine Ski House",
	"Adventure Works Cycles", "Blue Yonder Airlines", "City Power & Light", "Fourth Coffee", "Trey Research",
	"Graphic Design Institute", "Margie's Travel", "Lamna Healthcare", "Consolidated Messenger", "A. Datum",
	"Best For You Organics", "First Up Consultants", "Fabrikam Residences", "School of Fine Art",
}

// syllables make up coined brand names ("Kavolix").
var syllables = []string{
	"ab", "ar", "bel", "bri", "ca", "cor", "da", "del", "ex", "fa", "gen", "hel", "ix", "jo", "ka", "lu",
	"mar", "nex", "nor", "o", "ora", "pi", "qua", "ri", "sol", "ta", "tri", "ul", "va", "ven", "wi", "xa",
	"yo", "zen", "ia", "eon", "is", "um", "on", "vi", "tek", "dyn", "lux", "mo", "na", "pel", "ro", "sy",
}

var langFR = &language{
	surnames: []string{
		"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
		"Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Lefebvre", "Mercier",
		"Dupont", "Lambert", "Bonnet", "François", "Legrand", "Garnier", "Faure", "Rousseau",
		"Blanc", "Guérin", "Henry", "Roussel", "Perrin", "Morin", "Mathieu", "Clément",
		"Gauthier", "Dumont", "Fontaine", "Chevalier", "Robin", "Masson", "Gérard", "Boyer",
		"Lemaire", "Duval", "Joly", "Roche", "Noël", "Meunier", "Marchand", "Dufour",
		"Blanchard", "Barbier", "Brunet", "Leroux", "Renard", "Arnaud", "Caron", "Aubert",
		"Giraud", "Leclerc", "Vidal", "Bourgeois", "Renaud", "Lemoine", "Picard", "Lacroix",
		"Hébert", "Bérard", "Ménard", "Évrard", "Thévenin", "Bézier", "Crépin", "Frémont",
		"Mérieux", "Lévêque", "Chrétien", "Benoît", "Rivière", "Jégou", "Prévost", "Pagès",
		"Séguin", "Delacroix", "Ollivier", "Quéré", "Yvon", "Zeller", "Tessier", "Vasseur",
	},
	sectors: []string{
		"Société", "Boulangerie", "Pâtisserie", "Hôtel", "Crédit", "Électricité", "Compagnie", "Entreprise",
		"Banque", "Assurances", "Transports", "Garage", "Pharmacie", "Librairie", "Boucherie", "Fromagerie",
		"Menuiserie", "Maçonnerie", "Plomberie", "Imprimerie", "Cabinet", "Laboratoires", "Clinique", "Agence",
		"Atelier", "Brasserie", "Épicerie", "Fonderie", "Verrerie", "Scierie", "Coopérative", "Mutuelle",
		"Groupe", "Études", "Conseil", "Informatique", "Ingénierie", "Bâtiment", "Énergies", "Télécom",
		"Aéronautique", "Distribution", "Vins", "Château", "Domaine", "Charcuterie", "Quincaillerie", "Ébénisterie",
	},
	sectorFirst: 900,
	places: []string{
		"Paris", "Lyon", "Marseille", "Toulouse", "Nice", "Nantes", "Strasbourg", "Montpellier",
		"Bordeaux", "Lille", "Rennes", "Reims", "Saint-Étienne", "Toulon", "Grenoble", "Dijon",
		"Angers", "Nîmes", "Clermont-Ferrand", "Brest", "Tours", "Amiens", "Limoges", "Annecy",
		"Perpignan", "Besançon", "Orléans", "Rouen", "Mulhouse", "Caen", "Nancy", "Metz",
		"Avignon", "Béziers", "Chambéry", "Sète", "Pau", "Québec", "Montréal", "Genève",
		"Lausanne", "Liège", "Namur", "Bruxelles", "la Forêt", "l'Étoile", "la Côte", "la Vallée",
		"l'Océan", "la Gare", "l'Église", "Bretagne", "Provence", "Normandie", "Savoie", "Vendée",
	},
	of: "de",
	instNouns: []string{
		"Société", "Compagnie", "Banque", "Caisse", "Mutuelle", "Coopérative", "Agence", "Union",
		"Fédération", "Entreprise", "Manufacture", "Imprimerie", "Brasserie", "Boulangerie", "Forêt", "Maison",
	},
	instAdjs: []string{
		"Générale", "Nationale", "Européenne", "Française", "Régionale", "Centrale", "Industrielle", "Électrique",
		"Financière", "Immobilière", "Agricole", "Lyonnaise", "Parisienne", "Bretonne", "Normande", "Alsacienne",
		"Méditerranéenne", "Atlantique", "Alpine", "Moderne", "Maritime", "Numérique", "Thermale", "Québécoise",
	},
	and:       "et",
	family:    []string{"et Fils", "& Fils", "Frères", "et Associés", "& Cie"},
	partners:  "et Associés",
	nicknames: []string{"Le Petit", "La Belle Époque", "Chez Nous", "Le Relais", "Au Bon Pain", "L'Escale"},
	venues:    []string{"Café", "Bistrot", "Brasserie", "Hôtel", "Restaurant", "Crêperie"},
}

var langDE = &language{
	surnames: []string{
		"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
		"Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
		"Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann", "Lange",
		"Werner", "Schmitz", "Krause", "Lehmann", "Köhler", "Herrmann", "König", "Walter",
		"Huber", "Kaiser", "Fuchs", "Peters", "Scholz", "Möller", "Weiß", "Jung",
		"Hahn", "Vogel", "Friedrich", "Keller", "Günther", "Berger", "Winkler", "Roth",
		"Lorenz", "Baumann", "Albrecht", "Schuster", "Ludwig", "Böhm", "Winter", "Kraus",
		"Krämer", "Vogt", "Stein", "Jäger", "Otto", "Sommer", "Groß", "Seidel",
		"Brandt", "Haas", "Graf", "Dietrich", "Ziegler", "Kühn", "Pohl", "Engel",
		"Horn", "Busch", "Bergmann", "Pfeiffer", "Ölschläger", "Übelhör", "Straßer", "Eßer",
	},
	sectors: []string{
		"Bau", "Straßenbau", "Bäckerei", "Metzgerei", "Elektrotechnik", "Maschinenbau", "Logistik", "Spedition",
		"Immobilien", "Versicherungen", "Steuerberatung", "Druckerei", "Brauerei", "Autohaus", "Möbelhaus", "Sanitär",
		"Heizungsbau", "Dachdeckerei", "Zimmerei", "Gartenbau", "Werkzeugbau", "Stahlbau", "Fördertechnik", "Medizintechnik",
		"Systemhaus", "Datentechnik", "Apotheke", "Kanzlei", "Ingenieurbüro", "Planungsbüro", "Reisebüro", "Getränke",
		"Küchenstudio", "Glaserei", "Schreinerei", "Malerbetrieb", "Lebensmittel", "Kältetechnik", "Umwelttechnik", "Verwaltung",
	},
	sectorFirst: 450,
	places: []string{
		"Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Stuttgart", "Düsseldorf", "Leipzig",
		"Dortmund", "Essen", "Bremen", "Dresden", "Hannover", "Nürnberg", "Duisburg", "Bochum",
		"Wuppertal", "Bielefeld", "Bonn", "Münster", "Würzburg", "Göttingen", "Lübeck", "Osnabrück",
		"Saarbrücken", "Fürth", "Tübingen", "Lüneburg", "Wien", "Graz", "Linz", "Salzburg",
		"Innsbruck", "Zürich", "Bern", "Basel", "Luzern", "Allgäu", "Bodensee", "Eifel",
		"Harz", "Schwarzwald", "Rhön", "Sauerland", "Ostfriesland", "Vogtland",
	},
	instNouns: []string{
		"Gesellschaft", "Versicherung", "Bank", "Bäckerei", "Druckerei", "Brauerei", "Spedition", "Beratung",
		"Energieversorgung", "Treuhand", "Handelsgesellschaft", "Baugesellschaft", "Kreditanstalt", "Verlagsanstalt",
	},
	instAdjs: []string{
		"Deutsche", "Allgemeine", "Süddeutsche", "Norddeutsche", "Bayerische", "Hanseatische", "Rheinische", "Sächsische",
		"Schwäbische", "Westfälische", "Fränkische", "Badische", "Thüringer", "Berliner", "Münchner", "Kölner",
		"Hamburger", "Nürnberger", "Österreichische", "Wiener", "Schweizerische", "Zürcher", "Erste", "Vereinigte",
	},
	adjFirst:  true,
	and:       "und",
	family:    []string{"& Söhne", "und Söhne", "& Partner", "& Co.", "+Gebrüder"},
	partners:  "& Partner",
	nicknames: []string{"Zum Löwen", "Goldener Hirsch", "Zur Post", "Alte Mühle", "Grüner Baum", "Weißes Rössl"},
	venues:    []string{"Gasthaus", "Hotel", "Café", "Restaurant", "Weinstube", "Brauhaus"},
}

var langES = &language{
	surnames: []string{
		"García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez",
		"Gómez", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez",
		"Romero", "Alonso", "Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos",
		"Gil", "Ramírez", "Serrano", "Blanco", "Molina", "Morales", "Suárez", "Ortega",
		"Delgado", "Castro", "Ortiz", "Rubio", "Marín", "Sanz", "Núñez", "Iglesias",
		"Medina", "Garrido", "Cortés", "Castillo", "Santos", "Lozano", "Guerrero", "Cano",
		"Prieto", "Méndez", "Calvo", "Gallego", "León", "Márquez", "Herrera", "Peña",
		"Cabrera", "Vega", "Fuentes", "Carrasco", "Díez", "Caballero", "Nieto", "Aguilar",
		"Ibáñez", "Ferrer", "Durán", "Benítez", "Crespo", "Román", "Sáez", "Echeverría",
		"Zúñiga", "Ybarra", "Quintana", "Urrutia", "Valverde", "Jáuregui", "Olmedo", "Escobar",
	},
	sectors: []string{
		"Construcciones", "Transportes", "Panadería", "Farmacia", "Talleres", "Inmobiliaria", "Consultora", "Distribuciones",
		"Hotel", "Restaurante", "Bodegas", "Ferretería", "Gestoría", "Asesoría", "Laboratorios", "Clínica",
		"Seguros", "Instalaciones", "Electricidad", "Carpintería", "Imprenta", "Almacenes", "Suministros", "Servicios",
		"Grupo", "Industrias", "Conservas", "Aceites", "Muebles", "Viveros", "Autocares", "Telecomunicaciones",
		"Energías", "Sistemas", "Ingeniería", "Exportaciones", "Compañía", "Librería", "Óptica", "Cerámicas",
	},
	sectorFirst: 900,
	places: []string{
		"Madrid", "Barcelona", "Valencia", "Sevilla", "Zaragoza", "Málaga", "Murcia", "Palma",
		"Bilbao", "Alicante", "Córdoba", "Valladolid", "Vigo", "Gijón", "Granada", "Vitoria",
		"Elche", "Oviedo", "Cádiz", "Jaén", "Almería", "León", "Logroño", "Cáceres",
		"Ávila", "Segovia", "Toledo", "Castellón", "Ourense", "Guadalajara", "Monterrey", "Puebla",
		"Querétaro", "Mérida", "Cancún", "Buenos Aires", "Rosario", "Mendoza", "Tucumán", "Neuquén",
	},
	of: "de",
	instNouns: []string{
		"Compañía", "Sociedad", "Empresa", "Constructora", "Distribuidora", "Inmobiliaria", "Aseguradora", "Panadería",
		"Farmacia", "Cooperativa", "Agencia", "Caja", "Banca", "Consultora",
	},
	instAdjs: []string{
		"General", "Nacional", "Española", "Ibérica", "Eléctrica", "Andaluza", "Catalana", "Gallega",
		"Vasca", "Mediterránea", "Atlántica", "Castellana", "Valenciana", "Hispánica", "Técnica", "Telefónica",
		"Mexicana", "Argentina", "Rioplatense", "Asturiana",
	},
	and:       "y",
	family:    []string{"e Hijos", "y Asociados", "+Hermanos", "y Cía."},
	partners:  "y Asociados",
	nicknames: []string{"El Rincón", "La Bodeguita", "El Faro", "Los Arcos", "La Española", "El Pañuelo"},
	venues:    []string{"Café", "Restaurante", "Bar", "Hostal", "Taberna", "Cafetería"},
}

var langIT = &language{
	surnames: []string{
		"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
		"Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa",
		"Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani",
		"Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone", "Longo", "Gentile",
		"Martinelli", "Vitale", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti", "Parisi",
		"Villa", "Conte", "Ferraro", "Fabbri", "Marini", "Grasso", "Valentini", "Messina",
		"Sala", "Gatti", "Pellegrini", "Palumbo", "Sanna", "Farina", "Monti", "Cattaneo",
		"Morelli", "Amato", "Silvestri", "Mazza", "Testa", "Carbone", "Giuliani", "Benedetti",
		"Barone", "Caputo", "Montanari", "Guerra", "Palmieri", "Bernardi", "Fiore", "Bellini",
		"Basile", "Riva", "Donati", "Piras", "Battaglia", "Sartori", "Neri", "D'Amico",
		"Orlando", "Negri", "Zanetti", "Ugolini", "Quaranta", "Nicolò", "Cantù", "Mosè",
	},
	sectors: []string{
		"Costruzioni", "Trasporti", "Panificio", "Farmacia", "Officine", "Immobiliare", "Consulenze", "Distribuzione",
		"Albergo", "Ristorante", "Cantine", "Ferramenta", "Studio", "Laboratori", "Assicurazioni", "Impianti",
		"Carpenteria", "Tipografia", "Magazzini", "Forniture", "Servizi", "Gruppo", "Industrie", "Pastificio",
		"Oleificio", "Caseificio", "Mobilificio", "Calzaturificio", "Vivai", "Autolinee", "Telecomunicazioni", "Energia",
		"Sistemi", "Ingegneria", "Edilizia", "Gelateria", "Pasticceria", "Torrefazione", "Società", "Attività",
	},
	sectorFirst: 880,
	places: []string{
		"Milano", "Roma", "Napoli", "Torino", "Palermo", "Genova", "Bologna", "Firenze",
		"Bari", "Catania", "Venezia", "Verona", "Messina", "Padova", "Trieste", "Brescia",
		"Parma", "Taranto", "Prato", "Modena", "Perugia", "Livorno", "Cagliari", "Forlì",
		"Cantù", "Canicattì", "Bergamo", "Vicenza", "Como", "Lecce", "Udine", "Ancona",
		"Pescara", "Sondrio", "Zafferana", "Aosta", "Bolzano", "Lugano", "Ticino", "Brianza",
	},
	of: "di",
	instNouns: []string{
		"Società", "Compagnia", "Banca", "Cassa", "Impresa", "Cooperativa", "Officina", "Farmacia",
		"Agenzia", "Fonderia", "Distilleria", "Tipografia",
	},
	instAdjs: []string{
		"Generale", "Nazionale", "Italiana", "Lombarda", "Toscana", "Veneta", "Piemontese", "Siciliana",
		"Romana", "Elettrica", "Industriale", "Meccanica", "Adriatica", "Tirrenica", "Emiliana", "Ligure",
		"Sarda", "Pugliese", "Friulana", "Trentina",
	},
	and:       "e",
	family:    []string{"e Figli", "& Figli", "+Fratelli", "& C."},
	partners:  "e Figli",
	nicknames: []string{"La Dolce Vita", "Il Gabbiano", "La Pergola", "Il Vecchio Mulino", "Da Mario", "Al Caminetto"},
	venues:    []string{"Caffè", "Trattoria", "Pizzeria", "Osteria", "Ristorante", "Gelateria"},
}

var langPL = &language{
	surnames: []string{
		"Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński",
		"Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Kwiatkowski", "Wojciechowski",
		"Krawczyk", "Kaczmarek", "Piotrowski", "Grabowski", "Zając", "Pawłowski", "Michalski", "Król",
		"Wieczorek", "Jabłoński", "Wróbel", "Majewski", "Olszewski", "Stępień", "Malinowski", "Jaworski",
		"Adamczyk", "Dudek", "Nowicki", "Pawlak", "Górski", "Witkowski", "Walczak", "Sikora",
		"Baran", "Rutkowski", "Szewczyk", "Ostrowski", "Tomaszewski", "Pietrzak", "Zalewski", "Jasiński",
		"Marciniak", "Bąk", "Zawadzki", "Sadowski", "Chmielewski", "Włodarczyk", "Borkowski", "Czarnecki",
		"Sawicki", "Sokołowski", "Urbański", "Kubiak", "Kucharski", "Wilk", "Kalinowski", "Lis",
		"Wysocki", "Kaźmierczak", "Cieślak", "Głowacki", "Kołodziej", "Gajewski", "Szulc", "Brzeziński",
		"Ziółkowski", "Przybylski", "Żak", "Żurawski", "Łukasiewicz", "Łuczak", "Ćwikliński", "Śliwiński",
	},
	sectors: []string{
		"Zakłady", "Przedsiębiorstwo", "Spółdzielnia", "Hurtownia", "Piekarnia", "Drukarnia", "Apteka", "Firma",
		"Agencja", "Fabryka", "Grupa", "Biuro", "Kancelaria", "Pracownia", "Usługi", "Transport",
		"Budownictwo", "Instalacje", "Elektromontaż", "Handel", "Przetwórstwo", "Serwis", "Doradztwo", "Księgowość",
		"Ogrodnictwo", "Stolarstwo", "Ciepłownictwo", "Zakład", "Wytwórnia", "Tartak",
	},
	sectorFirst: 800,
	places: []string{
		"Warszawa", "Kraków", "Łódź", "Wrocław", "Poznań", "Gdańsk", "Szczecin", "Bydgoszcz",
		"Lublin", "Białystok", "Katowice", "Gdynia", "Częstochowa", "Radom", "Toruń", "Sosnowiec",
		"Rzeszów", "Kielce", "Gliwice", "Zabrze", "Olsztyn", "Bielsko-Biała", "Bytom", "Zielona Góra",
		"Rybnik", "Opole", "Elbląg", "Płock", "Wałbrzych", "Gorzów", "Tarnów", "Chorzów",
		"Koszalin", "Kalisz", "Legnica", "Żory", "Świnoujście", "Zakopane", "Mazury", "Podhale",
	},
	instNouns: []string{
		"Spółdzielnia", "Hurtownia", "Piekarnia", "Drukarnia", "Apteka", "Firma", "Agencja", "Fabryka",
		"Grupa", "Huta", "Kompania", "Kopalnia",
	},
	instAdjs: []string{
		"Polska", "Krajowa", "Mazowiecka", "Śląska", "Pomorska", "Małopolska", "Wielkopolska", "Łódzka",
		"Gdańska", "Krakowska", "Warszawska", "Podlaska", "Lubelska", "Kujawska", "Handlowa", "Budowlana",
		"Spożywcza", "Techniczna", "Mleczarska", "Energetyczna",
	},
	and:       "i",
	family:    []string{"i Synowie", "i Wspólnicy", "& Partnerzy", "+Bracia"},
	partners:  "i Wspólnicy",
	nicknames: []string{"Pod Różą", "Złoty Róg", "Stara Kuźnia", "Pod Lipą", "Biały Orzeł", "Zielona Łąka"},
	venues:    []string{"Kawiarnia", "Restauracja", "Hotel", "Pensjonat", "Karczma", "Cukiernia"},
}

var langPT = &language{
	surnames: []string{
		"Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins",
		"Jesus", "Sousa", "Fernandes", "Gonçalves", "Gomes", "Lopes", "Marques", "Alves",
		"Almeida", "Ribeiro", "Pinto", "Carvalho", "Teixeira", "Moreira", "Correia", "Mendes",
		"Nunes", "Soares", "Vieira", "Monteiro", "Cardoso", "Rocha", "Raposo", "Neves",
		"Coelho", "Cunha", "Pires", "Reis", "Simões", "Antunes", "Matos", "Fonseca",
		"Machado", "Araújo", "Barbosa", "Tavares", "Lourenço", "Figueiredo", "Azevedo", "Freitas",
		"Magalhães", "Guimarães", "Conceição", "Brandão", "Assunção", "Sebastião", "Falcão", "Damião",
		"Leitão", "Quintela", "Xavier", "Zagalo", "Vasconcelos", "Estêvão", "Gusmão", "Hipólito",
	},
	sectors: []string{
		"Construções", "Transportes", "Padaria", "Farmácia", "Oficina", "Imobiliária", "Consultoria", "Distribuidora",
		"Hotel", "Restaurante", "Adega", "Ferragens", "Escritório", "Laboratórios", "Seguros", "Instalações",
		"Eletricidade", "Carpintaria", "Tipografia", "Armazéns", "Serviços", "Grupo", "Indústrias", "Conservas",
		"Azeites", "Móveis", "Têxteis", "Calçado", "Comércio", "Cerâmica", "Cortiça", "Vinhos",
		"Metalúrgica", "Informática", "Engenharia", "Logística", "Telecomunicações", "Energia", "Clínica", "Panificação",
	},
	sectorFirst: 880,
	places: []string{
		"Lisboa", "Porto", "Braga", "Coimbra", "Funchal", "Aveiro", "Évora", "Faro",
		"Setúbal", "Viseu", "Guimarães", "Leiria", "Bragança", "Covilhã", "Santarém", "Amadora",
		"Almada", "São Paulo", "Belo Horizonte", "Brasília", "Salvador", "Fortaleza", "Curitiba", "Recife",
		"Porto Alegre", "Manaus", "Belém", "Goiânia", "Florianópolis", "Niterói", "Maceió", "Vitória",
		"Cuiabá", "Ribeirão Preto", "Uberlândia", "Minho", "Douro", "Alentejo", "Algarve", "Açores",
	},
	of: "de",
	instNouns: []string{
		"Companhia", "Sociedade", "Empresa", "Construtora", "Distribuidora", "Farmácia", "Padaria", "Cooperativa",
		"Agência", "Caixa", "Seguradora", "Fábrica",
	},
	instAdjs: []string{
		"Geral", "Nacional", "Portuguesa", "Brasileira", "Lusitana", "Atlântica", "Elétrica", "Industrial",
		"Paulista", "Mineira", "Carioca", "Nortenha", "Alentejana", "Técnica", "Algarvia", "Açoriana",
		"Madeirense", "Gaúcha", "Baiana", "Transmontana",
	},
	and:       "e",
	family:    []string{"& Filhos", "e Filhos", "+Irmãos", "& Cia."},
	partners:  "& Filhos",
	nicknames: []string{"O Cantinho", "A Tasca", "O Galo", "Casa Velha", "O Marinheiro", "Sabor Lusitano"},
	venues:    []string{"Café", "Restaurante", "Pastelaria", "Churrascaria", "Tasca", "Padaria"},
}

var langNL = &language{
	surnames: []string{
		"De Jong", "Jansen", "De Vries", "Van den Berg", "Van Dijk", "Bakker", "Janssen", "Visser",
		"Smit", "Meijer", "De Boer", "Mulder", "De Groot", "Bos", "Vos", "Peters",
		"Hendriks", "Van Leeuwen", "Dekker", "Brouwer", "De Wit", "Dijkstra", "Smits", "De Graaf",
		"Van der Meer", "Kok", "Jacobs", "De Haan", "Vermeulen", "Van der Veen", "De Bruijn", "Schouten",
		"Van Beek", "Willems", "Van Vliet", "Hoekstra", "Maas", "Verhoeven", "Koster", "Van Dam",
		"Prins", "Blom", "Huisman", "Peeters", "Maes", "Claes", "Goossens", "Wouters",
		"De Smet", "Geërts", "Ubbink", "IJzerman", "Zwart", "Yntema", "Oosterhuis", "Wijnands",
	},
	sectors: []string{
		"Bouw", "Installatietechniek", "Bakkerij", "Transport", "Logistiek", "Advies", "Accountants", "Makelaardij",
		"Verzekeringen", "Drukkerij", "Autobedrijf", "Schildersbedrijf", "Loodgietersbedrijf", "Hoveniers", "Tuincentrum", "Zuivel",
		"Kaashandel", "Bloemen", "Kwekerij", "Scheepvaart", "Houthandel", "Metaalbewerking", "Techniek", "ICT",
		"Groep", "Holding", "Beheer", "Vastgoed", "Notariaat", "Tandartsen", "Apotheek", "Brouwerij",
		"Elektro", "Dakwerken", "Stukadoors", "Café-Restaurant",
	},
	sectorFirst: 350,
	places: []string{
		"Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Groningen", "Tilburg", "Almere",
		"Breda", "Nijmegen", "Apeldoorn", "Haarlem", "Arnhem", "Enschede", "Zaanstad", "'s-Hertogenbosch",
		"Amersfoort", "Zwolle", "Leiden", "Maastricht", "Dordrecht", "Zoetermeer", "Delft", "Antwerpen",
		"Gent", "Brugge", "Leuven", "Mechelen", "Hasselt", "Kortrijk", "Oostende", "IJmuiden",
		"Veluwe", "Betuwe", "Texel", "Kempen",
	},
	instNouns: []string{
		"Bank", "Verzekeringen", "Bouwmaatschappij", "Handelsonderneming", "Bakkerij", "Drukkerij", "Scheepswerf", "Transportmaatschappij",
		"Zuivelfabriek", "Houthandel", "Brouwerij", "Apotheek", "Groep", "Energie", "Waterleiding",
	},
	instAdjs: []string{
		"Nederlandse", "Algemene", "Verenigde", "Koninklijke", "Hollandse", "Brabantse", "Friese", "Zeeuwse",
		"Limburgse", "Amsterdamse", "Rotterdamse", "Nieuwe", "Eerste", "Vlaamse", "Gelderse", "Twentse",
	},
	adjFirst:  true,
	and:       "en",
	family:    []string{"& Zonen", "en Zonen", "& Partners", "+Gebroeders", "& Co"},
	partners:  "& Partners",
	nicknames: []string{"De Gouden Leeuw", "Het Wapen", "De Molen", "'t Hoekje", "De Zwaan", "Het Anker"},
	venues:    []string{"Café", "Eetcafé", "Restaurant", "Hotel", "Brasserie", "Bakkerij"},
}

// langNO covers Norwegian and Danish.
var langNO = &language{
	surnames: []string{
		"Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
		"Jensen", "Karlsen", "Berg", "Haugen", "Hagen", "Bakke", "Solberg", "Strand",
		"Dahl", "Lund", "Sørensen", "Jørgensen", "Møller", "Søgaard", "Kjær", "Østergaard",
		"Nørgaard", "Bjørnstad", "Ødegård", "Sæther", "Aasen", "Brække", "Frøysa", "Lyngstad",
		"Rasmussen", "Christensen", "Poulsen", "Madsen", "Thomsen", "Mikkelsen", "Frederiksen", "Holm",
		"Vestergaard", "Kristoffersen", "Ulvestad", "Iversen", "Gundersen", "Wiik", "Ytterbø", "Æsøy",
	},
	sectors: []string{
		"Bygg", "Elektro", "Transport", "Rederi", "Bakeri", "Forsikring", "Eiendom", "Fiskeri",
		"Kraft", "Regnskap", "Rådgivning", "Sjømat", "Trelast", "Verft", "Mølle", "Tømrer",
		"Rør", "Maskin", "Entreprenør", "Økonomi", "Revisjon", "Havbruk", "Snekkeri", "Bryggeri",
		"Kjøkken", "Møbler", "Handel", "Data", "Teknikk", "Service", "Gruppen", "Invest",
	},
	sectorFirst: 150,
	places: []string{
		"Øresund", "Ålesund", "Tromsø", "Bodø", "Bærum", "Årdal", "Ørsta", "Førde",
		"Bergen", "Stavanger", "Trondheim", "Drammen", "Lillehammer", "Fredrikstad", "Kristiansand", "Hamar",
		"Molde", "Hønefoss", "København", "Aarhus", "Aalborg", "Odense", "Esbjerg", "Randers",
		"Kolding", "Vejle", "Roskilde", "Herning", "Helsingør", "Næstved", "Køge", "Hørsholm",
		"Sønderborg", "Svendborg", "Jylland", "Sjælland", "Lofoten", "Hardanger", "Østfold", "Telemark",
	},
	instNouns: []string{
		"Skog", "Bank", "Bygg", "Kraft", "Rederi", "Forsikring", "Handel", "Sparebank", "Staal", "Mølle", "Bryggeri", "Eiendom",
	},
	instAdjs: []string{
		"Norske", "Nordiske", "Vestlandske", "Danske", "Forenede", "Bergenske", "Sørlandske", "Nordenfjeldske",
		"Jyske", "Sjællandske", "Fynske", "Nye", "Østlandske", "Trønderske",
	},
	adjFirst:  true,
	and:       "og",
	family:    []string{"& Sønner", "og Sønner", "& Co", "+Brødrene"},
	partners:  "& Co",
	nicknames: []string{"Gamle Bryggen", "Den Gyldne Hane", "Lille Kro", "Fiskerkroa", "Blå Time", "Nordlys"},
	venues:    []string{"Kafé", "Restaurant", "Kro", "Bakeri", "Hotell", "Konditori"},
}

var langSV = &language{
	surnames: []string{
		"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
		"Svensson", "Gustafsson", "Pettersson", "Jönsson", "Lindström", "Lindqvist", "Bergström", "Åberg",
		"Öberg", "Ström", "Sjöberg", "Sundström", "Björk", "Löfgren", "Håkansson", "Hägg",
		"Ekström", "Wåhlin", "Nyström", "Lundgren", "Holmqvist", "Åström", "Forsberg", "Engström",
		"Dahlberg", "Hedlund", "Vikström", "Mattsson", "Axelsson", "Fredriksson", "Ylvén", "Zetterlund",
	},
	sectors: []string{
		"Bygg", "Elektriska", "Verkstad", "Konsult", "Transport", "Åkeri", "Bageri", "Fastigheter",
		"Redovisning", "Försäkring", "Skog", "Trä", "Livsmedel", "Måleri", "Rör", "Städ",
		"Data", "Teknik", "Mekaniska", "Snickeri", "Plåt", "Entreprenad", "Handel", "Import",
		"Gruppen", "Invest", "Förvaltning", "Kök", "Möbler", "Tryckeri", "Bryggeri", "Tandvård",
	},
	sectorFirst: 150,
	places: []string{
		"Stockholm", "Göteborg", "Malmö", "Uppsala", "Västerås", "Örebro", "Jönköping", "Linköping",
		"Norrköping", "Umeå", "Luleå", "Gävle", "Växjö", "Sundsvall", "Östersund", "Skåne",
		"Småland", "Dalarna", "Värmland", "Halland", "Gotland", "Kalmar", "Karlstad", "Borås",
	},
	instNouns: []string{
		"Bygg", "Kraft", "Bank", "Handel", "Hus", "Stål", "Bostäder", "Försäkringar", "Livsmedel", "Mejerier", "Trävaror", "Tändstickor",
	},
	instAdjs: []string{
		"Svenska", "Nordiska", "Förenade", "Västra", "Östra", "Södra", "Norra", "Skånska",
		"Göteborgs", "Stockholms", "Norrländska", "Smålands", "Gotlands", "Mälardalens",
	},
	adjFirst:  true,
	and:       "och",
	family:    []string{"& Söner", "och Söner", "& Co", "+Bröderna"},
	partners:  "& Co",
	nicknames: []string{"Gyllene Uttern", "Den Gamla Kvarnen", "Röda Stugan", "Blå Porten", "Sjöboden"},
	venues:    []string{"Kafé", "Konditori", "Restaurang", "Krog", "Hotell", "Bageri"},
}

var langFI = &language{
	surnames: []string{
		"Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen",
		"Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen", "Heinonen", "Niemi",
		"Heikkilä", "Kinnunen", "Salonen", "Turunen", "Jääskeläinen", "Räsänen", "Pöyhönen", "Ylönen",
		"Aaltonen", "Björklund", "Eskola", "Hakala", "Immonen", "Kallio", "Oksanen", "Väisänen",
	},
	sectors: []string{
		"Rakennus", "Sähkö", "Kuljetus", "Konepaja", "Leipomo", "Kiinteistöt", "Tilitoimisto", "Metsä",
		"Puutarha", "Lääkäriasema", "Apteekki", "Insinööritoimisto", "Logistiikka", "Ohjelmistot", "Kone", "Teräs",
		"Elintarvike", "Vesi", "Putki", "Maalaus", "Kauppa", "Palvelut", "Konsultointi", "Yhtiöt",
	},
	sectorFirst: 100,
	places: []string{
		"Helsinki", "Espoo", "Tampere", "Vantaa", "Oulu", "Turku", "Jyväskylä", "Lahti",
		"Kuopio", "Pori", "Seinäjoki", "Hämeenlinna", "Vaasa", "Rovaniemi", "Mikkeli", "Kemijärvi",
		"Äänekoski", "Pietarsaari", "Savonlinna", "Kajaani",
	},
	instNouns: []string{
		"Sähkö", "Rakennus", "Kuljetus", "Leipomo", "Metsä", "Teräs", "Vesi", "Osuuspankki", "Vakuutus", "Kiinteistöt", "Energia", "Puhelin",
	},
	instAdjs: []string{
		"Suomen", "Pohjolan", "Lapin", "Karjalan", "Hämeen", "Savon", "Pohjanmaan", "Uudenmaan",
		"Länsi-Suomen", "Itä-Suomen", "Keski-Suomen", "Pirkanmaan", "Kainuun", "Ahvenanmaan",
	},
	adjFirst:  true,
	and:       "ja",
	family:    []string{"& Pojat", "ja Pojat", "& Kumppanit", "+Veljekset"},
	partners:  "& Kumppanit",
	nicknames: []string{"Kultainen Kukko", "Vanha Mylly", "Sininen Hetki", "Pikku Pöllö", "Järvenranta"},
	venues:    []string{"Kahvila", "Ravintola", "Leipomo", "Hotelli", "Baari"},
}

// countries, with relative weights loosely following where CSP customers are.
var countries = []country{
	{"US", 200, []*language{langEN}, [][]string{{"Inc", "LLC", ", Inc.", "Corp.", "Co.", ", LLC"}}, "com"},
	{"GB", 90, []*language{langEN}, [][]string{{"Ltd", "Limited", "Ltd.", "PLC", "LLP"}}, "co.uk"},
	{"IE", 15, []*language{langEN}, [][]string{{"Ltd", "Limited", "DAC", "Teoranta"}}, "ie"},
	{"CA", 35, []*language{langEN, langEN, langEN, langFR}, [][]string{{"Inc", "Ltd", "Corp."}, {"Inc", "Ltd", "Corp."}, {"Inc", "Ltd", "Corp."}, {"Inc.", "Ltée", "S.E.N.C."}}, "ca"},
	{"AU", 30, []*language{langEN}, [][]string{{"Pty Ltd", "Pty. Ltd.", "Ltd"}}, "com.au"},
	{"FR", 110, []*language{langFR}, [][]string{{"SAS", "SARL", "SA", "EURL", "SASU", "SCI"}}, "fr"},
	{"BE", 25, []*language{langFR, langNL}, [][]string{{"SRL", "SA", "SPRL", "SC"}, {"BV", "NV", "BVBA", "CV"}}, "be"},
	{"LU", 8, []*language{langFR, langDE}, [][]string{{"S.à r.l.", "S.A.", "SARL"}, {"S.à r.l.", "S.A.", "GmbH"}}, "lu"},
	{"CH", 25, []*language{langDE, langDE, langFR, langIT}, [][]string{{"AG", "GmbH"}, {"AG", "GmbH"}, {"SA", "Sàrl"}, {"SA", "Sagl"}}, "ch"},
	{"DE", 110, []*language{langDE}, [][]string{{"GmbH", "AG", "GmbH & Co. KG", "KG", "e.K.", "UG (haftungsbeschränkt)"}}, "de"},
	{"AT", 20, []*language{langDE}, [][]string{{"GmbH", "AG", "KG", "OG"}}, "at"},
	{"ES", 55, []*language{langES}, [][]string{{"S.L.", "S.A.", "S.L.U.", "SL"}}, "es"},
	{"MX", 20, []*language{langES}, [][]string{{"S.A. de C.V.", "S. de R.L. de C.V.", "S.A."}}, "com.mx"},
	{"AR", 10, []*language{langES}, [][]string{{"S.A.", "S.R.L.", "S.A.S."}}, "com.ar"},
	{"IT", 55, []*language{langIT}, [][]string{{"S.r.l.", "S.p.A.", "S.n.c.", "S.a.s.", "Srl"}}, "it"},
	{"PL", 35, []*language{langPL}, [][]string{{"Sp. z o.o.", "S.A.", "Sp.j.", "Sp.k."}}, "pl"},
	{"NL", 45, []*language{langNL}, [][]string{{"B.V.", "BV", "N.V.", "V.O.F."}}, "nl"},
	{"NO", 18, []*language{langNO}, [][]string{{"AS", "ASA", "DA"}}, "no"},
	{"DK", 18, []*language{langNO}, [][]string{{"A/S", "ApS", "I/S"}}, "dk"},
	{"SE", 22, []*language{langSV}, [][]string{{"AB", "AB (publ)", "HB", "KB"}}, "se"},
	{"FI", 12, []*language{langFI}, [][]string{{"Oy", "Oyj", "Ky", "Ay"}}, "fi"},
	{"PT", 20, []*language{langPT}, [][]string{{"Lda", "Lda.", "S.A.", "Unipessoal Lda"}}, "pt"},
	{"BR", 35, []*language{langPT}, [][]string{{"Ltda", "Ltda.", "S.A.", "EIRELI", "ME"}}, "com.br"},
}

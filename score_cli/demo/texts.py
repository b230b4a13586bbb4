"""Words the demo is made of: names, businesses, what clients ask and what volunteers write.

Plain tuples, so that `random.Random.choice` over them is reproducible.
"""

FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony",
    "Sandra", "Mark", "Margaret", "Donald", "Ashley", "Steven", "Kimberly", "Andrew", "Emily",
    "Paul", "Donna", "Joshua", "Michelle", "Kenneth", "Carol", "Kevin", "Amanda", "Brian",
    "Melissa", "George", "Deborah", "Timothy", "Stephanie", "Ronald", "Rebecca", "Jason", "Laura",
    "Edward", "Helen", "Jeffrey", "Sharon", "Ryan", "Cynthia", "Jacob", "Kathleen", "Gary", "Amy",
    "Nicholas", "Angela", "Eric", "Shirley", "Jonathan", "Anna", "Stephen", "Brenda", "Larry",
    "Pamela", "Justin", "Emma", "Scott", "Nicole", "Brandon", "Samantha", "Benjamin", "Katherine",
    "Samuel", "Christine", "Gregory", "Debra", "Alexander", "Rachel", "Patrick", "Carolyn",
    "Frank", "Janet", "Raymond", "Maria", "Jack", "Olivia", "Dennis", "Heather", "Jerry", "Diane",
    "Jose", "Luis", "Carlos", "Juan", "Miguel", "Sofia", "Camila", "Valentina", "Lucia", "Diego",
    "Wei", "Mei", "Hiroshi", "Yuki", "Priya", "Arjun", "Anil", "Deepa", "Kwame", "Amara", "Fatima",
    "Omar", "Aisha", "Hassan", "Leila", "Dmitri", "Olga", "Ngozi", "Chidi", "Thanh", "Minh",
    "Keanu", "Malia", "Tariq", "Noor", "Ingrid", "Lars", "Siobhan", "Declan", "Marisol", "Rafael",
)

LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner",
    "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales",
    "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey",
    "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks",
    "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez",
    "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez", "O'Brien",
    "McCarthy", "Okafor", "Mensah", "Chen", "Wang", "Li", "Zhang", "Tanaka", "Sato", "Singh",
    "Sharma", "Khan", "Ali", "Haddad", "Kowalski", "Novak", "Ivanova", "Schmidt", "Larsen",
    "Fitzgerald", "Kealoha", "Tran", "Pham", "Delgado", "Vargas", "Santiago", "Abernathy",
)

BUSINESS_WORDS = (
    "Bakery", "Coffee House", "Consulting", "Landscaping", "Design Studio", "Cleaning Services",
    "Auto Repair", "Fitness", "Catering", "Boutique", "Tax Services", "Home Care", "Construction",
    "Plumbing", "Pet Grooming", "Photography", "Food Truck", "Tutoring", "Brewing Co.",
    "Salon", "Daycare", "Logistics", "Marketing", "Woodworks", "Farm", "Apparel", "Tech Solutions",
    "Event Planning", "Yoga Studio", "Candle Co.", "Print Shop", "Realty", "Trucking",
)
BUSINESS_ADJECTIVES = (
    "Blue Ridge", "Golden", "Evergreen", "Summit", "Harbor", "Riverside", "Maple", "Bright Path",
    "Lucky Dog", "Main Street", "Northstar", "Sunrise", "Red Barn", "Silver Lining", "Cornerstone",
    "Oak & Iron", "Little Sprout", "Coastal", "Prairie", "Urban Roots",
)
BUSINESS_SUFFIXES = ("", "", "", " LLC", " LLC", " Inc.", " & Co.", " Group")

QUESTIONS = (
    "I want to start a {area_l} business and don't know where to begin. What licenses do I need?",
    "How do I write a business plan that a bank will take seriously?",
    "We are looking for an SBA loan of about ${amount},000 to expand. Can a mentor help us prepare?",
    "My sales have been flat for a year. I need help with marketing and social media.",
    "I'm thinking of buying an existing {area_l} business. How do I value it?",
    "Cash flow is tight every winter. How do other {area_l} owners manage seasonality?",
    "Should I form an LLC or an S-corp? I'm a sole proprietor today.",
    "I need help pricing my services; I think I'm charging too little.",
    "How do I hire my first employee and set up payroll?",
    "I'd like a mentor with {area_l} experience to review my financial projections.",
    "Looking for guidance on government contracting and getting certified.",
    "My website gets visits but no orders. What should I change?",
    "I want to franchise my concept. Where do I start?",
    "We're a nonprofit and need help with a sustainable funding model.",
    "I have an idea for a product and need help with manufacturing and suppliers.",
    "Retiring in two years and want to plan the sale of my business.",
    "Need help with bookkeeping basics and choosing accounting software.",
    "How can I export my products to Canada and Mexico?",
    "I'm a veteran starting a business and would like a mentor.",
    "Can someone help me understand my lease before I sign it?",
)

ORIGIN_PAGES = (
    "https://www.score.org/find-mentor",
    "https://www.score.org/find-mentor",
    "https://www.score.org/{slug}/find-mentor",
    "https://www.score.org/{slug}",
    "https://www.score.org/resource/business-plan-template-startup-business",
    "https://www.score.org/webinars",
)

CIC_NOTES = (
    "Client prefers phone calls in the afternoon.",
    "Client mentioned an SBA loan application deadline next month.",
    "Spanish-speaking mentor would be a plus.",
    "Repeat client; previous mentor has retired.",
    "Client is pre-revenue and needs help with a business plan.",
    "Please include the startup roadmap course in your first email.",
)

DECLINE_REASONS = (
    "Traveling for the next two weeks.",
    "Outside my area of expertise; an accountant would serve them better.",
    "At capacity right now, please reassign.",
    "Conflict of interest: the client is a competitor of a company I advise.",
    "Family matter, I cannot take new clients this month.",
    "Client needs in-person help and I mentor remotely only.",
)

RETURN_REASONS = (
    "Client needs legal advice beyond what I can offer.",
    "Not a good fit: client wants a mentor with restaurant experience.",
    "I am stepping back from mentoring for a few months.",
    "Client asked for a mentor who speaks Spanish.",
    "Introductory session done; client needs a finance specialist.",
)

REASSIGN_REASONS = (
    "Mentor emailed that they cannot take this one.",
    "Mentor is ill; change owner without waiting for the timeout.",
    "Better expertise match found.",
)

WITHDRAW_OUT_OF_SCOPE = (
    "Out of scope: looking for a grant, not mentoring.",
    "Out of scope: wants someone to write the business plan for them.",
    "Spam submission.",
    "Client is no longer interested in SCORE mentoring.",
)

WITHDRAW_BY_MENTOR = (
    "Client no longer interested in mentoring.",
    "Client found the help they needed elsewhere.",
    "Client postponed the business indefinitely.",
)

CLOSE_NOTES = {
    "no_response": "Three attempts over two weeks, no reply.",
    "incorrect_contact": "Email bounced and the phone number is disconnected.",
    "unable_to_contact": "Could not reach the client by email or phone.",
    "no_show": "Client did not attend the scheduled session.",
}

TRANSFER_REASONS = (
    "Client lives closer to the neighbouring chapter.",
    "Client asked for in-person meetings in their city.",
)

REFERRAL_REASONS = (
    "Needs help with financial projections for a loan.",
    "Co-mentoring: marketing plan review.",
    "Provisional training support.",
    "Needs industry expertise for a food product launch.",
)

REFERRAL_DECLINES = (
    "No time this month, sorry.",
    "Not my area after all.",
)

ACCEPT_MESSAGES = (
    "Hello, I'm your SCORE mentor. When would be a good time for an introductory call?",
    "Thanks for reaching out to SCORE! Here is my calendar link to schedule our first session.",
    "Happy to help with your business. Are you free for a video call this week?",
)

CONTACT_NOTES = {
    "email": ("Sent a follow-up email.", "Emailed scheduling link.", "Second email sent."),
    "phone": ("Left a voicemail.", "Called, no answer.", "Spoke briefly, will call back."),
    "other": ("Sent a text message.", "Messaged on LinkedIn."),
}

SESSION_NOTES = (
    "Introductory session: reviewed the business idea and next steps.",
    "Went over the business plan outline and market research sources.",
    "Discussed pricing and a simple cash-flow forecast.",
    "Reviewed loan options and the documents the bank will ask for.",
    "Worked on the marketing plan: target customer and channels.",
    "Follow-up: client has registered the LLC and opened a bank account.",
    "Talked through hiring the first employee and payroll services.",
)

# As services.intake words it when a direct request cannot be honoured.
DIRECT_REFUSED = "The client asked for {email}, who {why}; the request went to the queue."

# What mentors type in the capacity field, with how often they type it. The numbers are
# parsed by services.capacity, the same parser the CLI uses.
CAPACITY_TEXTS = (
    ("3 per week", 14), ("5/week", 6), ("2 a week", 10), ("1 per wk", 6), ("up to 4 weekly", 4),
    ("2 per week", 10), ("1/week", 6), ("4 per week", 3), ("DR Only", 5), ("Flexible", 4),
    ("As needed", 2), ("1-2 clients per month", 2), ("", 8), (None, 20),
)

# Three-digit ZIP prefixes and telephone area codes per state, for believable addresses.
STATE_PLACES = {
    "AK": ("995", "907"), "AL": ("352", "205"), "AR": ("722", "501"), "AZ": ("850", "602"),
    "CA": ("900", "213"), "CO": ("802", "303"), "CT": ("061", "860"), "DC": ("200", "202"),
    "DE": ("198", "302"), "FL": ("331", "305"), "GA": ("303", "404"), "HI": ("968", "808"),
    "IA": ("503", "515"), "ID": ("837", "208"), "IL": ("606", "312"), "IN": ("462", "317"),
    "KS": ("672", "316"), "KY": ("402", "502"), "LA": ("701", "504"), "MA": ("021", "617"),
    "MD": ("212", "410"), "ME": ("041", "207"), "MI": ("482", "313"), "MN": ("554", "612"),
    "MO": ("631", "314"), "MS": ("392", "601"), "MT": ("591", "406"), "NC": ("282", "704"),
    "ND": ("581", "701"), "NE": ("681", "402"), "NH": ("031", "603"), "NJ": ("071", "973"),
    "NM": ("871", "505"), "NV": ("891", "702"), "NY": ("100", "212"), "OH": ("441", "216"),
    "OK": ("731", "405"), "OR": ("972", "503"), "PA": ("191", "215"), "PR": ("009", "787"),
    "RI": ("029", "401"), "SC": ("292", "803"), "SD": ("571", "605"), "TN": ("372", "615"),
    "TX": ("770", "713"), "UT": ("841", "801"), "VA": ("232", "804"), "VT": ("054", "802"),
    "WA": ("981", "206"), "WI": ("532", "414"), "WV": ("253", "304"), "WY": ("820", "307"),
}

# Relative size of the chapters in big metropolitan areas; every other live chapter is 1.
BIG_CHAPTERS = {
    "NYC01": 8, "LAX01": 7, "CHI01": 6, "BOS01": 5, "HOU01": 5, "DAL01": 5, "NYC02": 4,
    "SFO01": 4, "WAS01": 4, "ATL01": 4, "SEA01": 4, "DEN01": 4, "PHX01": 4, "PHL01": 4,
    "AUS01": 4, "MIA01": 3.5, "SAN01": 3, "SJC01": 3, "SAT01": 3, "FTW01": 3, "CLT01": 3,
    "MSP01": 3, "DET01": 3, "SNA01": 3, "TPA01": 3, "ORL01": 3, "POR01": 3, "FFX01": 3,
    "BAL01": 2.5, "STL01": 2.5, "LAS01": 2.5, "RAL01": 2.5, "NAS01": 2.5, "CMH01": 2.5,
    "IND01": 2.5, "PIT01": 2, "SAC01": 2, "CLE01": 2, "CIN01": 2, "MKC01": 2, "RKV01": 2,
    "OAK01": 2, "SLC01": 2, "LAX02": 2, "MEL01": 2, "NEW01": 2, "JAX01": 2, "MKE01": 2,
}
NOT_LIVE_WEIGHT = 0.4  # a chapter that is not live is small or still forming

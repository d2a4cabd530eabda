"""Demo data for one account: a catalog with texts, variants, stock and prices, and orders with lines,
payments and packages — written set-based, so 100k products and 100k orders take well under a minute.

``demo_data_create(account, products=N, orders=M)`` adds to the account's default catalog:

- three warehouses and two price groups (PLN wholesale, EUR retail), assigned to the catalog, which
  also gets Polish and English as its languages; manufacturers, tags and a two-level category tree;
- N products named from word lists in both languages ("Kubek ceramiczny Aurora" / "Ceramic mug
  Aurora"), with valid EAN-13 codes, one to three image URLs, features, stock in the catalog's default
  warehouse (and in about a third of the others) and a price in every price group of the catalog;
  about 10% of them have 2–4 variants (colours, or sizes for clothing), which have their own SKU, EAN,
  texts, image, stock and prices;
- M orders spread over all the account's statuses, each with 1–4 catalog lines, buyers from Poland
  and other EU countries (names, addresses, parcel lockers, companies with tax ids), payments, an
  "order created" journal entry, and for orders in a "sent" status a manual-courier package with a
  tracking number (journaled as "package created").

Nothing goes row by row through the ORM: Python builds small word pools (a few thousand product names
and buyers), COPYs them into temporary tables, and every bulk table is filled by one
``INSERT … SELECT`` over ``generate_series`` joined to those pools, ids taken from the tables' own
sequences. The catalog is written only by the catalog's own writers: its settings (warehouses, price
groups, names, categories) through ``catalog.services``, the products with their texts, images, tags,
stock and prices through ``catalog.bulk.products_create_from_query`` (the demo hands it the SELECTs);
the orders, lines, journal entries and packages are this module's own ``INSERT … SELECT``.
SKUs start with a run prefix (``DM1-``, ``DM2-`` …), so running it again adds more data without clashes.
Stock is not reserved by the demo lines (``reserved`` = 0), so stock stays as set.
Buyer e-mail addresses use the reserved ``example.com/net/org`` domains.
"""

from __future__ import annotations

import json
import random
import re
import time
import unicodedata
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils.translation import gettext_noop

from accounts.models import Account, Role
from accounts.tenancy import Tenant
from catalog import bulk, demo_images, services
from catalog.models import Category, Inventory, Manufacturer, PriceGroup, Tag, Warehouse
from changes.origin import Origin
from orders.models import JournalEntry, OrderSource, OrderStatus

# The demo's rows are the system's doing. The catalog's writers record its changes (consumers of a fresh
# demo account want none); the orders' rows written here record no change events.
ORIGIN = Origin.system(gettext_noop("Demo data"))
SKU_PREFIX = "DM"
VARIANT_SHARE = 0.10

# Price group → (currency, share of the retail price). Retail prices end in .99.
DEMO_WAREHOUSES = (
    ("Warsaw warehouse", "Main stock for Poland."),
    ("Poznań warehouse", "Bulky goods and garden furniture."),
    ("Berlin warehouse", "Stock for orders from the EU."),
)
DEMO_PRICE_GROUPS = (
    ("Wholesale PLN", "PLN", "0.80", "Prices for business customers in Poland."),
    ("Retail EUR", "EUR", "1.00", "Shop prices for EU customers."),
)
# PLN per unit of a currency, to price groups in other currencies (rough, it is demo data).
PLN_PER = {
    "PLN": 1.0,
    "EUR": 4.3,
    "USD": 4.0,
    "GBP": 5.0,
    "CHF": 4.5,
    "CZK": 0.17,
    "SEK": 0.38,
    "DKK": 0.58,
    "NOK": 0.37,
    "HUF": 0.011,
    "RON": 0.87,
}

MANUFACTURERS = (
    "Polmet",
    "Wistula Design",
    "Nordhaus",
    "Baltic Home",
    "Kraft & Co.",
    "Zefir Sport",
    "Tatra Outdoor",
    "Elektron",
    "Papirus",
    "GreenLine",
    "Hausmann",
    "Lumo",
)
TAGS = ("nowość", "bestseller", "promocja", "eko", "outlet", "polecane")
SERIES = (
    "Aurora",
    "Nordic",
    "Bałtyk",
    "Tatra",
    "Vistula",
    "Mazury",
    "Classic",
    "Urban",
    "Forest",
    "Nova",
    "Sopot",
    "Kraków",
    "Luna",
    "Terra",
    "Oslo",
    "Alpine",
    "Zefir",
    "Orion",
    "Sierra",
    "Wawel",
)
COLOURS = (  # (pl, en, SKU code)
    ("czarny", "black", "BLK"),
    ("biały", "white", "WHT"),
    ("szary", "grey", "GRY"),
    ("czerwony", "red", "RED"),
    ("niebieski", "blue", "BLU"),
    ("zielony", "green", "GRN"),
    ("żółty", "yellow", "YEL"),
    ("granatowy", "navy", "NAV"),
    ("beżowy", "beige", "BEI"),
    ("różowy", "pink", "PNK"),
)
SIZES = ("XS", "S", "M", "L", "XL", "XXL")

# Groups → subcategories → nouns (Polish, gender m/f/n/p(lural), English, price PLN, weight kg) and
# the adjectives that fit them (Polish masculine, feminine, neuter/plural forms, English).
GROUPS = (
    {
        "name": ("Dom i kuchnia", "Home & kitchen"),
        "tax": 23,
        "variants": "colour",
        "about": (
            "Solidnie wykonany, łatwy w czyszczeniu i odporny na codzienne użytkowanie.",
            "Well made, easy to clean and built for everyday use.",
        ),
        "subcategories": (
            (
                ("Naczynia", "Tableware"),
                (
                    ("Kubek", "m", "mug", 29, 0.35),
                    ("Talerz", "m", "plate", 35, 0.6),
                    ("Miska", "f", "bowl", 32, 0.45),
                    ("Dzbanek", "m", "jug", 59, 0.9),
                    ("Filiżanka", "f", "cup", 25, 0.25),
                ),
                (
                    ("ceramiczny", "ceramiczna", "ceramiczne", "Ceramic"),
                    ("porcelanowy", "porcelanowa", "porcelanowe", "Porcelain"),
                    ("szklany", "szklana", "szklane", "Glass"),
                    ("kamionkowy", "kamionkowa", "kamionkowe", "Stoneware"),
                ),
            ),
            (
                ("Gotowanie", "Cooking"),
                (
                    ("Patelnia", "f", "frying pan", 129, 1.4),
                    ("Garnek", "m", "pot", 149, 2.1),
                    ("Czajnik", "m", "kettle", 99, 1.1),
                    ("Rondel", "m", "saucepan", 89, 1.2),
                ),
                (
                    ("stalowy", "stalowa", "stalowe", "Steel"),
                    ("żeliwny", "żeliwna", "żeliwne", "Cast-iron"),
                    ("emaliowany", "emaliowana", "emaliowane", "Enamel"),
                    ("granitowy", "granitowa", "granitowe", "Granite-coated"),
                ),
            ),
        ),
    },
    {
        "name": ("Odzież", "Clothing"),
        "tax": 23,
        "variants": "size",
        "about": (
            "Wygodny krój i przyjemny w dotyku materiał; można prać w pralce.",
            "A comfortable cut in a soft fabric; machine washable.",
        ),
        "subcategories": (
            (
                ("Koszulki i bluzy", "T-shirts & sweatshirts"),
                (
                    ("Koszulka", "f", "T-shirt", 49, 0.2),
                    ("Bluza", "f", "sweatshirt", 129, 0.55),
                    ("Koszula", "f", "shirt", 99, 0.3),
                    ("Koszulka polo", "f", "polo shirt", 79, 0.25),
                ),
                (
                    ("bawełniany", "bawełniana", "bawełniane", "Cotton"),
                    ("lniany", "lniana", "lniane", "Linen"),
                    ("sportowy", "sportowa", "sportowe", "Sports"),
                    ("klasyczny", "klasyczna", "klasyczne", "Classic"),
                ),
            ),
            (
                ("Dodatki", "Accessories"),
                (
                    ("Czapka", "f", "hat", 39, 0.1),
                    ("Szalik", "m", "scarf", 59, 0.2),
                    ("Skarpety", "p", "socks", 19, 0.08),
                    ("Rękawiczki", "p", "gloves", 49, 0.12),
                ),
                (
                    ("wełniany", "wełniana", "wełniane", "Wool"),
                    ("bawełniany", "bawełniana", "bawełniane", "Cotton"),
                    ("dziany", "dziana", "dziane", "Knitted"),
                    ("zimowy", "zimowa", "zimowe", "Winter"),
                ),
            ),
        ),
    },
    {
        "name": ("Ogród", "Garden"),
        "tax": 23,
        "variants": "colour",
        "about": (
            "Odporny na wilgoć i słońce, sprawdzi się przez wiele sezonów.",
            "Weather resistant, made to last for many seasons.",
        ),
        "subcategories": (
            (
                ("Narzędzia ogrodowe", "Garden tools"),
                (
                    ("Sekator", "m", "pruning shears", 69, 0.3),
                    ("Konewka", "f", "watering can", 39, 0.6),
                    ("Łopata", "f", "spade", 79, 1.8),
                    ("Grabie", "p", "rake", 59, 1.2),
                ),
                (
                    ("metalowy", "metalowa", "metalowe", "Metal"),
                    ("ergonomiczny", "ergonomiczna", "ergonomiczne", "Ergonomic"),
                    ("lekki", "lekka", "lekkie", "Lightweight"),
                    ("wzmocniony", "wzmocniona", "wzmocnione", "Reinforced"),
                ),
            ),
            (
                ("Meble ogrodowe", "Garden furniture"),
                (
                    ("Leżak", "m", "deck chair", 199, 6.5),
                    ("Stół", "m", "table", 499, 18.0),
                    ("Krzesło", "n", "chair", 149, 4.5),
                    ("Ławka", "f", "bench", 399, 14.0),
                ),
                (
                    ("drewniany", "drewniana", "drewniane", "Wooden"),
                    ("rattanowy", "rattanowa", "rattanowe", "Rattan"),
                    ("aluminiowy", "aluminiowa", "aluminiowe", "Aluminium"),
                    ("składany", "składana", "składane", "Folding"),
                ),
            ),
        ),
    },
    {
        "name": ("Biuro", "Office"),
        "tax": 23,
        "variants": "colour",
        "about": (
            "Praktyczny na co dzień w biurze, szkole i domu.",
            "Practical every day at the office, at school and at home.",
        ),
        "subcategories": (
            (
                ("Artykuły piśmiennicze", "Stationery"),
                (
                    ("Notes", "m", "notebook", 19, 0.2),
                    ("Długopis", "m", "pen", 9, 0.02),
                    ("Zeszyt", "m", "exercise book", 7, 0.15),
                    ("Kalendarz", "m", "planner", 39, 0.4),
                ),
                (
                    ("ekologiczny", "ekologiczna", "ekologiczne", "Eco"),
                    ("kieszonkowy", "kieszonkowa", "kieszonkowe", "Pocket"),
                    ("elegancki", "elegancka", "eleganckie", "Elegant"),
                    ("klasyczny", "klasyczna", "klasyczne", "Classic"),
                ),
            ),
            (
                ("Organizacja biurka", "Desk organisation"),
                (
                    ("Segregator", "m", "binder", 15, 0.4),
                    ("Organizer", "m", "desk organiser", 45, 0.5),
                    ("Lampka biurkowa", "f", "desk lamp", 89, 1.0),
                    ("Tablica korkowa", "f", "cork board", 59, 1.5),
                ),
                (
                    ("metalowy", "metalowa", "metalowe", "Metal"),
                    ("drewniany", "drewniana", "drewniane", "Wooden"),
                    ("kompaktowy", "kompaktowa", "kompaktowe", "Compact"),
                    ("nowoczesny", "nowoczesna", "nowoczesne", "Modern"),
                ),
            ),
        ),
    },
    {
        "name": ("Sport i turystyka", "Sports & outdoor"),
        "tax": 23,
        "variants": "colour",
        "about": (
            "Lekki i wytrzymały, gotowy na trening i wyjazd.",
            "Light and tough, ready for training and travel.",
        ),
        "subcategories": (
            (
                ("Fitness", "Fitness"),
                (
                    ("Mata do jogi", "f", "yoga mat", 79, 1.1),
                    ("Hantle", "p", "dumbbells", 99, 4.0),
                    ("Skakanka", "f", "skipping rope", 25, 0.2),
                    ("Piłka gimnastyczna", "f", "exercise ball", 49, 1.0),
                ),
                (
                    ("antypoślizgowy", "antypoślizgowa", "antypoślizgowe", "Non-slip"),
                    ("profesjonalny", "profesjonalna", "profesjonalne", "Professional"),
                    ("lekki", "lekka", "lekkie", "Lightweight"),
                    ("kompaktowy", "kompaktowa", "kompaktowe", "Compact"),
                ),
            ),
            (
                ("Turystyka", "Outdoor"),
                (
                    ("Plecak", "m", "backpack", 159, 0.9),
                    ("Bidon", "m", "water bottle", 35, 0.15),
                    ("Namiot", "m", "tent", 399, 3.2),
                    ("Termos", "m", "vacuum flask", 89, 0.5),
                ),
                (
                    ("turystyczny", "turystyczna", "turystyczne", "Hiking"),
                    ("wodoodporny", "wodoodporna", "wodoodporne", "Waterproof"),
                    ("lekki", "lekka", "lekkie", "Lightweight"),
                    ("kompaktowy", "kompaktowa", "kompaktowe", "Compact"),
                ),
            ),
        ),
    },
    {
        "name": ("Elektronika", "Electronics"),
        "tax": 23,
        "variants": "colour",
        "about": (
            "Zgodny z popularnymi telefonami i laptopami, z 24-miesięczną gwarancją.",
            "Works with popular phones and laptops; 24-month warranty.",
        ),
        "subcategories": (
            (
                ("Audio", "Audio"),
                (
                    ("Słuchawki", "p", "headphones", 149, 0.3),
                    ("Głośnik", "m", "speaker", 199, 0.8),
                    ("Radio", "n", "radio", 129, 0.9),
                    ("Soundbar", "m", "soundbar", 399, 2.6),
                ),
                (
                    ("bezprzewodowy", "bezprzewodowa", "bezprzewodowe", "Wireless"),
                    ("przenośny", "przenośna", "przenośne", "Portable"),
                    ("kompaktowy", "kompaktowa", "kompaktowe", "Compact"),
                    ("nowoczesny", "nowoczesna", "nowoczesne", "Modern"),
                ),
            ),
            (
                ("Zasilanie i kable", "Power & cables"),
                (
                    ("Ładowarka", "f", "charger", 59, 0.15),
                    ("Kabel USB-C", "m", "USB-C cable", 25, 0.06),
                    ("Powerbank", "m", "power bank", 99, 0.3),
                    ("Listwa zasilająca", "f", "power strip", 49, 0.5),
                ),
                (
                    ("szybki", "szybka", "szybkie", "Fast"),
                    ("wzmocniony", "wzmocniona", "wzmocnione", "Reinforced"),
                    ("kompaktowy", "kompaktowa", "kompaktowe", "Compact"),
                    ("podróżny", "podróżna", "podróżne", "Travel"),
                ),
            ),
        ),
    },
)

# Buyers: country → weight, currency, phone prefix, names, cities (with postcode makers), streets.
COUNTRIES = {
    "PL": {
        "weight": 70,
        "currency": "PLN",
        "phone": "+48",
        "male": [
            "Jan",
            "Piotr",
            "Krzysztof",
            "Andrzej",
            "Tomasz",
            "Paweł",
            "Michał",
            "Marcin",
            "Jakub",
            "Adam",
            "Łukasz",
            "Mateusz",
            "Kamil",
            "Marek",
            "Grzegorz",
        ],
        "female": [
            "Anna",
            "Maria",
            "Katarzyna",
            "Małgorzata",
            "Agnieszka",
            "Barbara",
            "Ewa",
            "Magdalena",
            "Joanna",
            "Aleksandra",
            "Zofia",
            "Monika",
            "Natalia",
            "Karolina",
            "Julia",
        ],
        "surnames": [
            "Nowak",
            "Kowalski",
            "Wiśniewski",
            "Wójcik",
            "Kowalczyk",
            "Kamiński",
            "Lewandowski",
            "Zieliński",
            "Szymański",
            "Woźniak",
            "Dąbrowski",
            "Kozłowski",
            "Jankowski",
            "Mazur",
            "Kwiatkowski",
            "Krawczyk",
            "Piotrowski",
            "Grabowski",
            "Zając",
            "Pawłowski",
        ],
        "cities": (
            ("Warszawa", "02-###", "WAW"),
            ("Kraków", "31-###", "KRA"),
            ("Łódź", "91-###", "LOD"),
            ("Wrocław", "50-###", "WRO"),
            ("Poznań", "60-###", "POZ"),
            ("Gdańsk", "80-###", "GDA"),
            ("Szczecin", "70-###", "SZC"),
            ("Lublin", "20-###", "LUB"),
            ("Katowice", "40-###", "KAT"),
            ("Białystok", "15-###", "BIA"),
            ("Toruń", "87-###", "TOR"),
            ("Rzeszów", "35-###", "RZE"),
        ),
        "streets": [
            "Długa",
            "Krótka",
            "Polna",
            "Leśna",
            "Słoneczna",
            "Kwiatowa",
            "Ogrodowa",
            "Lipowa",
            "Brzozowa",
            "Mickiewicza",
            "Kościuszki",
            "Sienkiewicza",
            "Kopernika",
            "Szkolna",
            "Parkowa",
            "Wiejska",
            "Morska",
            "Zielona",
        ],
        "address": "ul. {street} {no}{flat}",
        "company": ("{surname} Sp. z o.o.", "PHU {surname}", "{surname} i Wspólnicy s.c."),
    },
    "DE": {
        "weight": 9,
        "currency": "EUR",
        "phone": "+49",
        "male": ["Lukas", "Felix", "Jonas", "Maximilian", "Paul", "Thomas", "Michael", "Stefan"],
        "female": ["Anna", "Laura", "Lena", "Julia", "Sabine", "Claudia", "Katharina", "Sophie"],
        "surnames": [
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Meyer",
            "Wagner",
            "Becker",
            "Schulz",
            "Hoffmann",
        ],
        "cities": (
            ("Berlin", "10###", "BER"),
            ("Hamburg", "22###", "HAM"),
            ("München", "80###", "MUC"),
            ("Köln", "50###", "KOE"),
            ("Leipzig", "04###", "LEJ"),
            ("Dresden", "01###", "DRS"),
        ),
        "streets": [
            "Hauptstraße",
            "Bahnhofstraße",
            "Gartenstraße",
            "Schulstraße",
            "Lindenstraße",
            "Bergstraße",
            "Kirchstraße",
            "Goethestraße",
            "Schillerstraße",
        ],
        "address": "{street} {no}",
        "company": ("{surname} GmbH", "{surname} & Söhne KG"),
    },
    "CZ": {
        "weight": 4,
        "currency": "EUR",
        "phone": "+420",
        "male": ["Jan", "Petr", "Jiří", "Martin", "Tomáš", "Pavel"],
        "female": ["Jana", "Eva", "Hana", "Lucie", "Petra", "Tereza"],
        "surnames": ["Novák", "Svoboda", "Novotný", "Dvořák", "Černý", "Procházka", "Kučera", "Veselý"],
        "cities": (
            ("Praha", "1## 00", "PRG"),
            ("Brno", "60# 00", "BRN"),
            ("Ostrava", "70# 00", "OST"),
            ("Plzeň", "30# 00", "PLZ"),
        ),
        "streets": [
            "Masarykova",
            "Husova",
            "Nádražní",
            "Komenského",
            "Palackého",
            "Školní",
            "Polní",
            "Zahradní",
        ],
        "address": "{street} {no}",
        "company": ("{surname} s.r.o.",),
    },
    "SK": {
        "weight": 3,
        "currency": "EUR",
        "phone": "+421",
        "male": ["Peter", "Martin", "Jozef", "Marek", "Ján"],
        "female": ["Mária", "Zuzana", "Katarína", "Lucia", "Monika"],
        "surnames": ["Horváth", "Kováč", "Varga", "Tóth", "Nagy", "Baláž"],
        "cities": (
            ("Bratislava", "8## 01", "BTS"),
            ("Košice", "040 ##", "KSC"),
            ("Žilina", "010 ##", "ZIL"),
        ),
        "streets": ["Hlavná", "Školská", "Záhradná", "Mierová", "Štúrova"],
        "address": "{street} {no}",
        "company": ("{surname} s.r.o.",),
    },
    "FR": {
        "weight": 4,
        "currency": "EUR",
        "phone": "+33",
        "male": ["Louis", "Gabriel", "Jules", "Thomas", "Nicolas"],
        "female": ["Camille", "Léa", "Manon", "Chloé", "Julie"],
        "surnames": [
            "Martin",
            "Bernard",
            "Dubois",
            "Thomas",
            "Robert",
            "Richard",
            "Petit",
            "Durand",
            "Leroy",
            "Moreau",
        ],
        "cities": (
            ("Paris", "750##", "PAR"),
            ("Lyon", "6900#", "LYS"),
            ("Marseille", "130##", "MRS"),
            ("Lille", "5900#", "LIL"),
        ),
        "streets": (
            "rue de la République",
            "rue Victor Hugo",
            "avenue Jean Jaurès",
            "rue Pasteur",
            "boulevard Voltaire",
        ),
        "address": "{no} {street}",
        "company": ("{surname} SARL",),
    },
    "IT": {
        "weight": 4,
        "currency": "EUR",
        "phone": "+39",
        "male": ["Marco", "Luca", "Giuseppe", "Alessandro", "Matteo"],
        "female": ["Giulia", "Francesca", "Chiara", "Sara", "Martina"],
        "surnames": ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"],
        "cities": (
            ("Roma", "001##", "ROM"),
            ("Milano", "201##", "MIL"),
            ("Torino", "101##", "TRN"),
            ("Bologna", "401##", "BLQ"),
        ),
        "streets": ("Via Roma", "Via Garibaldi", "Via Mazzini", "Corso Italia", "Via Dante", "Via Verdi"),
        "address": "{street} {no}",
        "company": ("{surname} S.r.l.",),
    },
    "ES": {
        "weight": 2,
        "currency": "EUR",
        "phone": "+34",
        "male": ["Javier", "Carlos", "Daniel", "Pablo", "Alejandro"],
        "female": ["Lucía", "María", "Carmen", "Laura", "Elena"],
        "surnames": ["García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez"],
        "cities": (
            ("Madrid", "280##", "MAD"),
            ("Barcelona", "080##", "BCN"),
            ("Valencia", "460##", "VLC"),
        ),
        "streets": ("Calle Mayor", "Gran Vía", "Calle Real", "Calle del Sol", "Avenida de la Constitución"),
        "address": "{street} {no}",
        "company": ("{surname} S.L.",),
    },
    "NL": {
        "weight": 2,
        "currency": "EUR",
        "phone": "+31",
        "male": ["Daan", "Sem", "Lucas", "Jan", "Pieter"],
        "female": ["Emma", "Sophie", "Julia", "Anna", "Sanne"],
        "surnames": ("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit"),
        "cities": (
            ("Amsterdam", "10## AB", "AMS"),
            ("Rotterdam", "30## CD", "RTM"),
            ("Utrecht", "35## EF", "UTC"),
        ),
        "streets": ["Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenstraat", "Schoolstraat"],
        "address": "{street} {no}",
        "company": ("{surname} B.V.",),
    },
    "AT": {
        "weight": 2,
        "currency": "EUR",
        "phone": "+43",
        "male": ["Lukas", "Felix", "Jonas", "Maximilian", "Paul", "Thomas", "Michael", "Stefan"],
        "female": ["Anna", "Laura", "Lena", "Julia", "Sabine", "Claudia", "Katharina", "Sophie"],
        "surnames": ["Gruber", "Huber", "Bauer", "Wagner", "Müller", "Pichler", "Steiner", "Moser"],
        "cities": (("Wien", "1##0", "VIE"), ("Graz", "80##", "GRZ"), ("Linz", "40##", "LNZ")),
        "streets": ["Hauptstraße", "Bahnhofstraße", "Kirchengasse", "Schulgasse", "Lindengasse"],
        "address": "{street} {no}",
        "company": ("{surname} GmbH",),
    },
}
# Delivery: (method, price PLN, price EUR, parcel locker?); payment: (method, cash on delivery?).
DELIVERY_PL = (
    ("Kurier DPD", "14.99", None, False),
    ("Kurier InPost", "13.99", None, False),
    ("Paczkomat InPost", "11.99", None, True),
    ("Poczta Polska", "12.49", None, False),
)
DELIVERY_EU = (("DHL", None, "9.90", False), ("DPD", None, "8.90", False), ("GLS", None, "7.90", False))
PAYMENT_PL = (("Przelewy24", False), ("BLIK", False), ("Przelew bankowy", False), ("Pobranie", True))
PAYMENT_EU = (("PayPal", False), ("Credit card", False), ("Bank transfer", False), ("Klarna", False))
FREE_DELIVERY_FROM = {"PLN": 299, "EUR": 69}
COMMENTS_PL = (
    "Proszę o kontakt telefoniczny przed dostawą.",
    "Paczkę proszę zostawić u sąsiada.",
    "Zamówienie na prezent — proszę bez paragonu w paczce.",
    "Czy można wysłać jeszcze dziś?",
)
COMMENTS_EU = (
    "Please call before delivery.",
    "Please leave the parcel with a neighbour.",
    "It's a gift — no invoice in the parcel, please.",
    "Could you ship it today?",
)
ADMIN_COMMENTS = ("Stały klient.", "Sprawdzić adres dostawy.", "Wysłać z próbką gratis.")
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")

BUYER_POOL = 3000

# Order status → share of orders (by kind) and the chance an order in it is paid.
STATUS_WEIGHT = {
    OrderStatus.Kind.NEW: 12,
    OrderStatus.Kind.OTHER: 10,
    OrderStatus.Kind.SENT: 25,
    OrderStatus.Kind.CANCELLED: 4,
}
STATUS_PAID = {
    OrderStatus.Kind.NEW: 0.5,
    OrderStatus.Kind.OTHER: 0.95,
    OrderStatus.Kind.SENT: 1.0,
    OrderStatus.Kind.CANCELLED: 0.2,
}
UNPAID_STATUS_NAME = re.compile(r"payment|płatno|zapłat", re.IGNORECASE)

TEMP_TABLES = ("demo_names", "demo_buyers", "demo_p", "demo_s", "demo_o", "demo_l", "demo_t")


@dataclass
class DemoDataResult:
    account: Account
    inventory: Inventory
    prefix: str
    products: int = 0
    variants: int = 0
    orders: int = 0
    lines: int = 0
    packages: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        skus = f", SKUs {self.prefix}-…" if self.products else ""
        return (
            f"{self.products} products (+{self.variants} variants{skus}) and "
            f"{self.orders} orders ({self.lines} lines, {self.packages} packages) in “{self.account}”"
        )


def demo_account_default() -> Account:
    """The demo wholesaler from the run command's demo, or an account called "Demo data" (made once)."""
    from accounts.demo import DEMO_USERS
    from accounts.signals import account_created

    wholesaler = (
        Account.objects.filter(memberships__user__email=DEMO_USERS[0].email, memberships__role="owner")
        .order_by("id")
        .first()
    )
    if wholesaler is not None:
        return wholesaler
    account = Account.objects.filter(name="Demo data").order_by("id").first()
    if account is None:
        with transaction.atomic():
            account = Account.objects.create(name="Demo data", country="PL", default_currency="PLN")
            account_created.send(sender=Account, account=account)
    return account


def ean13(twelve: str) -> str:
    """``twelve`` digits + the EAN-13 check digit."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(twelve))
    return twelve + str((10 - total % 10) % 10)


def _ean_sql(column: str) -> str:
    """SQL for ``column`` (12 digits, text) followed by its EAN-13 check digit."""
    terms = " + ".join(f"{3 if i % 2 == 0 else 1} * substr({column}, {i}, 1)::int" for i in range(1, 13))
    return f"{column} || mod(10 - mod({terms}, 10), 10)::text"


def _ascii(text: str) -> str:
    text = text.replace("ł", "l").replace("Ł", "L")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _feminine(surname: str, country: str) -> str:
    if country == "PL":
        for male, female in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
            if surname.endswith(male):
                return surname[: -len(male)] + female
        return surname
    if country in ("CZ", "SK"):
        if surname.endswith("ý"):
            return surname[:-1] + "á"
        if surname.endswith("a"):
            return surname[:-1] + "ová"
        return surname + "ová"
    return surname


def _nip(rng: random.Random) -> str:
    """A Polish tax id (NIP) with a valid check digit."""
    weights = (6, 5, 7, 2, 3, 4, 5, 6, 7)
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
        check = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if check < 10:
            return "".join(map(str, digits)) + str(check)


def _postcode(pattern: str, rng: random.Random) -> str:
    """``pattern`` with each ``#`` replaced by a random digit."""
    return "".join(str(rng.randint(0, 9)) if c == "#" else c for c in pattern)


def _buyers(rng: random.Random, count: int):
    countries = list(COUNTRIES)
    weights = [COUNTRIES[c]["weight"] for c in countries]
    for idx in range(1, count + 1):
        code = rng.choices(countries, weights)[0]
        c = COUNTRIES[code]
        female = rng.random() < 0.5
        first = rng.choice(c["female"] if female else c["male"])
        surname = rng.choice(c["surnames"])
        if female:
            surname = _feminine(surname, code)
        fullname = f"{first} {surname}"
        city, pattern, city_code = rng.choice(c["cities"])
        street = rng.choice(c["streets"])
        flat = f"/{rng.randint(1, 60)}" if code == "PL" and rng.random() < 0.5 else ""
        address = c["address"].format(street=street, no=rng.randint(1, 180), flat=flat)
        postcode = _postcode(pattern, rng)
        company = ""
        nip = ""
        if rng.random() < 0.2:
            company = rng.choice(c["company"]).format(surname=surname.split()[-1].capitalize())
            nip = _nip(rng) if code == "PL" else f"{code}{rng.randint(10**8, 10**9 - 1)}"
        local = _ascii(f"{first}.{surname}").lower().replace(" ", "")
        if rng.random() < 0.5:
            local += str(rng.randint(1, 99))
        email = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
        digits = "".join(str(rng.randint(0, 9)) for _ in range(9))
        phone = f"{c['phone']} {digits[:3]} {digits[3:6]} {digits[6:]}"
        currency = c["currency"]
        method, price_pln, price_eur, locker = rng.choice(DELIVERY_PL if code == "PL" else DELIVERY_EU)
        payment, cod = rng.choice(PAYMENT_PL if code == "PL" else PAYMENT_EU)
        point = ("", "", "", "", "")
        if locker:
            point_id = f"{city_code}{rng.randint(1, 250):02d}M"
            point = (
                point_id,
                f"Paczkomat {point_id}",
                f"ul. {rng.choice(c['streets'])} {rng.randint(1, 120)}",
                _postcode(pattern, rng),
                city,
            )
        comment = rng.choice(COMMENTS_PL if code == "PL" else COMMENTS_EU)
        yield (
            idx,
            fullname,
            company,
            nip,
            email,
            local if rng.random() < 0.4 else "",
            phone,
            address,
            city,
            postcode,
            code,
            currency,
            method,
            price_pln if currency == "PLN" else price_eur,
            FREE_DELIVERY_FROM[currency],
            *point,
            payment,
            cod,
            comment,
            bool(company),
        )


def _names(categories: dict[tuple[int, int], int], language: str):
    """Every (noun, adjective, series) product name of the word lists, in Polish and English."""
    idx = 0
    for g, group in enumerate(GROUPS):
        about_pl, about_en = group["about"]
        for s, ((sub_pl, sub_en), nouns, adjectives) in enumerate(group["subcategories"]):
            for noun_pl, gender, noun_en, price, weight in nouns:
                for adj in adjectives:
                    form = {"m": adj[0], "f": adj[1], "n": adj[2], "p": adj[2]}[gender]
                    for series in SERIES:
                        idx += 1
                        name_pl = f"{noun_pl} {form} {series}"
                        name_en = f"{adj[3]} {noun_en} {series}"
                        side = round((weight * 1000) ** (1 / 3) * 2.2, 1)
                        features_pl = [
                            ["Seria", series],
                            ["Kategoria", sub_pl],
                            ["Gwarancja", "24 miesiące"],
                        ]
                        features_en = [["Series", series], ["Category", sub_en], ["Warranty", "24 months"]]
                        yield (
                            idx,
                            categories[(g, s)],
                            name_pl,
                            name_en,
                            f"{noun_pl} {form} z kolekcji {series}. {about_pl}",
                            f"{adj[3]} {noun_en} from the {series} collection. {about_en}",
                            json.dumps(features_pl, ensure_ascii=False),
                            json.dumps(features_en),
                            "s" if group["variants"] == "size" else "c",
                            price,
                            weight,
                            side,
                            group["tax"],
                        )


def _copy(cursor, table: str, columns: str, rows) -> int:
    count = 0
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _drop_temp(cursor) -> None:
    cursor.execute("DROP TABLE IF EXISTS " + ", ".join(f"pg_temp.{t}" for t in TEMP_TABLES))


def _demo_actor(account: Account) -> Tenant:
    """The demo acts for the account with an admin's rights: it adds warehouses and price groups."""
    return Tenant(account=account, role=Role.ADMIN)


def _setup_catalog(actor: Tenant, inventory: Inventory) -> dict:
    """Warehouses, price groups, manufacturers, tags and categories the demo uses (kept if present), made
    through the catalog's services; the catalog gets Polish and English and the demo's warehouses and
    price groups."""
    account = actor.account
    warehouses = {w.name: w.pk for w in Warehouse.objects.filter(account=account)}
    for name, description in DEMO_WAREHOUSES:
        if name not in warehouses:
            warehouses[name] = services.warehouse_save(actor=actor, name=name, description=description).pk
    groups = {g.name: g.pk for g in PriceGroup.objects.filter(account=account)}
    for name, currency, _factor, description in DEMO_PRICE_GROUPS:
        if name not in groups:
            groups[name] = services.price_group_save(
                actor=actor, name=name, currency=currency, description=description
            ).pk
    services.inventory_save(
        actor=actor,
        inventory=inventory,
        languages=sorted(set(inventory.languages) | {"pl", "en"}),
        warehouses=sorted(
            set(inventory.warehouses.values_list("id", flat=True))
            | {warehouses[name] for name, _d in DEMO_WAREHOUSES}
        ),
        price_groups=sorted(
            set(inventory.price_groups.values_list("id", flat=True))
            | {groups[name] for name, _c, _f, _d in DEMO_PRICE_GROUPS}
        ),
    )
    factors = {name: float(factor) for name, _c, factor, _d in DEMO_PRICE_GROUPS}
    group_rows = [
        (pk, float(factors.get(name, 1.0)), float(PLN_PER.get(currency, 1.0)))
        for pk, name, currency in inventory.price_groups.order_by("id").values_list("id", "name", "currency")
    ]
    known = set(Manufacturer.objects.filter(account=account).values_list("name", flat=True))
    for name in MANUFACTURERS:
        if name not in known:
            services.manufacturer_save(actor=actor, name=name)
    known = set(Tag.objects.filter(account=account).values_list("name", flat=True))
    for name in TAGS:
        if name not in known:
            services.tag_save(actor=actor, name=name)
    manufacturers = list(
        Manufacturer.objects.filter(account=account, name__in=MANUFACTURERS).values_list("id", flat=True)
    )
    tags = list(Tag.objects.filter(account=account, name__in=TAGS).values_list("id", flat=True))
    lang = 0 if inventory.default_language == "pl" else 1
    categories: dict[tuple[int, int], int] = {}
    for g, group in enumerate(GROUPS):
        top = _category(actor, inventory, None, group["name"][lang])
        for s, (names, _nouns, _adjectives) in enumerate(group["subcategories"]):
            categories[(g, s)] = _category(actor, inventory, top, names[lang])
    return {
        "warehouses": sorted(inventory.warehouses.values_list("id", flat=True)),
        "groups": group_rows,
        "manufacturers": manufacturers,
        "tags": tags,
        "categories": categories,
    }


def _category(actor: Tenant, inventory: Inventory, parent: int | None, name: str) -> int:
    found = (
        Category.objects.filter(account=actor.account, inventory=inventory, parent_id=parent, name=name)
        .values_list("id", flat=True)
        .first()
    )
    if found is not None:
        return found
    return services.category_save(actor=actor, inventory=inventory.pk, parent=parent, name=name).pk


def _run_prefix(cursor, inventory: Inventory) -> str:
    cursor.execute(
        r"""SELECT coalesce(max(substring(sku FROM '^' || %s || '(\d+)-')::int), 0)
              FROM catalog_product WHERE inventory_id = %s AND sku ~ ('^' || %s || '\d+-')""",
        [SKU_PREFIX, inventory.pk, SKU_PREFIX],
    )
    return f"{SKU_PREFIX}{cursor.fetchone()[0] + 1}"


def _statuses(account: Account) -> tuple[list[int], list[str], list[float]]:
    """One slot per unit of weight: the status id, its kind, and the chance an order in it is paid."""
    ids, kinds, paid = [], [], []
    for status in OrderStatus.objects.filter(account=account).order_by("position", "id"):
        chance = 0.0 if UNPAID_STATUS_NAME.search(status.name) else STATUS_PAID[status.kind]
        for _ in range(STATUS_WEIGHT[status.kind]):
            ids.append(status.pk)
            kinds.append(status.kind)
            paid.append(chance)
    return ids, kinds, paid


@transaction.atomic
def demo_data_create(
    account: Account,
    *,
    products: int = 200,
    orders: int = 100,
    lines: tuple[int, int] = (1, 4),
    seed: int | None = None,
) -> DemoDataResult:
    """Add ``products`` products (plus variants) and ``orders`` orders to ``account``'s default catalog.

    ``lines``: the least and most lines an order has. ``seed`` makes the data repeatable. With
    ``products=0`` the orders take the catalog's existing products. All or nothing (one transaction).
    """
    if products < 0 or orders < 0 or not 1 <= lines[0] <= lines[1]:
        raise ValueError("products and orders must be ≥ 0, and 1 ≤ least lines ≤ most lines")
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        timings[name] = round(now - started, 3)
        started = now

    inventory = Inventory.objects.select_for_update().get(account=account, is_default=True)
    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")
        # The planner takes generate_series for a thousand rows a call and would JIT-compile the demo's
        # statements for a second each; they run in a fraction of that.
        cursor.execute("SET LOCAL jit = off")
        if seed is not None:
            cursor.execute("SELECT setseed(%s)", [rng.random() * 2 - 1])
        _drop_temp(cursor)
        actor = _demo_actor(account)
        setup = _setup_catalog(actor, inventory)
        inventory.refresh_from_db()
        result = DemoDataResult(account=account, inventory=inventory, prefix=_run_prefix(cursor, inventory))
        lap("setup")
        if products:
            _products(cursor, actor, inventory, setup, result, count=products)
            lap("products")
        if orders:
            _orders(cursor, account, inventory, result, rng, count=orders, lines=lines, made=bool(products))
            lap("orders")
        _drop_temp(cursor)
    result.timings = timings
    return result


# The file name of a demo picture in SQL, as catalog.demo_images.file_name makes it: ``p`` is the product,
# the position is the column or alias given (fixed text, never user input).
def _demo_image_name_sql(position: str) -> str:
    return (
        "regexp_replace(p.sku, '[^A-Za-z0-9._-]', '-', 'g') "
        f"|| CASE WHEN {position} = 0 THEN '' ELSE '-' || {position} END || %(ext)s"
    )


_REMOTE_DEMO_IMAGES = "https://picsum.photos/seed/%"


def demo_images_localize() -> int:
    """Point the pictures of a demo made before they were drawn locally (at a remote host) at local
    ones, drawing the files; also draws files that are missing (a new MEDIA_ROOT). Returns how many.
    The addresses change through the catalog's image writer, one account at a time."""
    ext = "." + demo_images.extension()
    base = demo_images.image_url("")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT i.id, {_demo_image_name_sql("i.position")},
                   coalesce((SELECT t.name FROM catalog_producttext t WHERE t.product_id = p.id
                              ORDER BY t.language = 'pl' DESC, t.id LIMIT 1), p.sku), p.sku,
                   p.account_id, i.url
              FROM catalog_productimage i JOIN catalog_product p ON p.id = i.product_id
             WHERE i.url LIKE %(remote)s OR i.url LIKE %(local)s OR i.url LIKE %(absolute)s
            """,  # noqa: S608 - fixed SQL fragments, values as parameters
            {
                "ext": ext,
                "remote": _REMOTE_DEMO_IMAGES,
                "local": base + "%",
                "absolute": "http%://%" + base + "%",
            },
        )
        rows = cursor.fetchall()
    demo_images.images_write([(name, product_name, sku) for _id, name, product_name, sku, _a, _u in rows])
    moved: dict[int, dict[int, str]] = {}
    for pk, name, _n, _s, account_id, url in rows:
        if url != base + name:
            moved.setdefault(account_id, {})[pk] = base + name
    for account_id, urls in sorted(moved.items()):
        # The products' whole image lists, with the moved addresses in place (the others as they are).
        bulk.product_images_set_from_query(
            actor=_demo_actor(Account.objects.get(pk=account_id)),
            origin=ORIGIN,
            select="""
                SELECT i.product_id, i.position, coalesce(v.url, i.url) AS url
                  FROM catalog_productimage i
                  LEFT JOIN unnest(%(ids)s::bigint[], %(urls)s::text[]) AS v(id, url) ON v.id = i.id
                 WHERE i.product_id IN (SELECT product_id FROM catalog_productimage WHERE id = ANY(%(ids)s))
            """,
            params={"ids": list(urls), "urls": list(urls.values())},
        )
    return len(rows)


def _products(cursor, actor: Tenant, inventory, setup, result: DemoDataResult, *, count: int) -> None:
    cursor.execute(
        """CREATE TEMP TABLE demo_names (idx int, category_id bigint, name_pl text, name_en text,
               description_pl text, description_en text, features_pl jsonb, features_en jsonb, vkind text,
               price numeric, weight numeric, side numeric, tax_rate numeric)"""
    )
    names = _copy(
        cursor,
        "demo_names",
        "idx, category_id, name_pl, name_en, description_pl, description_en, features_pl, features_en, "
        "vkind, price, weight, side, tax_rate",
        _names(setup["categories"], inventory.default_language),
    )
    cursor.execute("ANALYZE demo_names")
    params = {
        "names": names,
        "share": VARIANT_SHARE,
        "count": count,
        "prefix": result.prefix,
        "seq": "catalog_product",
        "manufacturers": setup["manufacturers"],
        "nman": len(setup["manufacturers"]),
        "colours_pl": [c[0] for c in COLOURS],
        "colours_en": [c[1] for c in COLOURS],
        "colour_codes": [c[2] for c in COLOURS],
        "sizes": list(SIZES),
    }
    # One row per product and variant (j = 0 is the product), ids from the table's own sequence in
    # (product, variant) order; the random draws of a product are shared by its variants.
    cursor.execute(
        """
        CREATE TEMP TABLE demo_p AS
        WITH b AS MATERIALIZED (
            SELECT g, 1 + floor(random() * %(names)s)::int AS name_idx,
                   CASE WHEN random() < %(share)s THEN 2 + floor(random() * 3)::int ELSE 0 END AS nvar,
                   floor(random() * 60)::int AS opt0,
                   (0.8 + 0.4 * random()) AS price_draw,
                   (%(manufacturers)s::bigint[])[1 + floor(random() * %(nman)s)::int] AS manufacturer_id,
                   CASE WHEN random() < 0.15 THEN 1 + floor(random() * 5)::int ELSE 0 END AS star,
                   CASE WHEN random() < 0.6 THEN 0 WHEN random() < 0.75 THEN 1 ELSE 2 END AS ntags,
                   floor(random() * 60)::int AS tag0,
                   1 + (random() < 0.4)::int + (random() < 0.15)::int AS nimg
              FROM generate_series(1, %(count)s) g),
        x AS MATERIALIZED (
            SELECT b.*, v.j, n.vkind
              FROM b JOIN demo_names n ON n.idx = b.name_idx
             CROSS JOIN LATERAL generate_series(0, b.nvar) v(j)
             ORDER BY b.g, v.j),
        y AS MATERIALIZED (
            SELECT nextval(pg_get_serial_sequence(%(seq)s, 'id')) AS id, x.* FROM x)
        SELECT y.id, y.g, y.j, y.name_idx, y.nvar, y.manufacturer_id, y.star, y.ntags, y.tag0,
               CASE WHEN y.j = 0 THEN y.nimg ELSE 1 END AS nimg,
               y.vkind,
               CASE WHEN y.j = 0 THEN NULL WHEN y.vkind = 's'
                    THEN (%(sizes)s::text[])[1 + mod(y.opt0 + y.j - 1, 6)]
                    ELSE (%(colours_pl)s::text[])[1 + mod(y.opt0 + y.j - 1, 10)] END AS opt_pl,
               CASE WHEN y.j = 0 THEN NULL WHEN y.vkind = 's'
                    THEN (%(sizes)s::text[])[1 + mod(y.opt0 + y.j - 1, 6)]
                    ELSE (%(colours_en)s::text[])[1 + mod(y.opt0 + y.j - 1, 10)] END AS opt_en,
               %(prefix)s || '-' || lpad(y.g::text, 6, '0') || CASE WHEN y.j = 0 THEN '' WHEN y.vkind = 's'
                    THEN '-' || (%(sizes)s::text[])[1 + mod(y.opt0 + y.j - 1, 6)]
                    ELSE '-' || (%(colour_codes)s::text[])[1 + mod(y.opt0 + y.j - 1, 10)] END AS sku,
               '590' || lpad(mod(y.id, 1000000000)::text, 9, '0') AS ean12,
               y.price_draw
          FROM y
        """,  # noqa: S608 - no user values in the SQL text; values are parameters
        params,
    )
    cursor.execute(
        """
        ALTER TABLE demo_p ADD COLUMN ean text, ADD COLUMN name_pl text, ADD COLUMN name_en text,
                           ADD COLUMN base numeric;
        """
    )
    # Names, EAN and base price in one more pass over the temp table (cheap: it is not logged).
    cursor.execute(
        f"""
        UPDATE demo_p p SET
               ean = {_ean_sql("p.ean12")},
               name_pl = n.name_pl || CASE WHEN p.j = 0 THEN ''
                         WHEN p.vkind = 's' THEN ', rozmiar: ' || p.opt_pl ELSE ', kolor: ' || p.opt_pl END,
               name_en = n.name_en || CASE WHEN p.j = 0 THEN ''
                         WHEN p.vkind = 's' THEN ', size: ' || p.opt_en ELSE ', colour: ' || p.opt_en END,
               base = greatest(3, round(n.price * p.price_draw))
          FROM demo_names n WHERE n.idx = p.name_idx
        """  # noqa: S608 - no user values in the SQL text
    )
    cursor.execute("ANALYZE demo_p")
    # Pictures made here (catalog/demo_images.py), served by the app: no remote host, works offline.
    cursor.execute(
        f"""
        SELECT {_demo_image_name_sql("k")}, p.name_pl, p.sku
          FROM demo_p p CROSS JOIN LATERAL generate_series(0, p.nimg - 1) k
        """,  # noqa: S608 - fixed SQL fragments, values as parameters
        {"ext": "." + demo_images.extension()},
    )
    demo_images.images_write(cursor.fetchall())
    # The catalog's rows go in through its set-based writer, one INSERT … SELECT per table over demo_p.
    written = bulk.products_create_from_query(
        actor=actor,
        inventory=inventory,
        origin=ORIGIN,
        products="""
            SELECT p.id, par.id AS parent_id, p.sku, p.ean, n.tax_rate, n.weight, n.side AS height,
                   round(n.side * 0.8, 1) AS width, round(n.side * 1.2, 1) AS length, n.category_id,
                   p.manufacturer_id, p.star, round(p.base * 0.55, 2) AS average_cost
              FROM demo_p p JOIN demo_names n ON n.idx = p.name_idx
              LEFT JOIN demo_p par ON par.g = p.g AND par.j = 0 AND p.j > 0
        """,
        texts="""
            SELECT p.id AS product_id, t.language, t.name, t.description, t.features,
                   '{}'::jsonb AS extra_fields
              FROM demo_p p JOIN demo_names n ON n.idx = p.name_idx
             CROSS JOIN LATERAL (VALUES
                   ('pl', p.name_pl, n.description_pl, n.features_pl || CASE WHEN p.j = 0 THEN '[]'::jsonb
                        ELSE jsonb_build_array(jsonb_build_array(
                             CASE WHEN p.vkind = 's' THEN 'Rozmiar' ELSE 'Kolor' END, p.opt_pl)) END),
                   ('en', p.name_en, n.description_en, n.features_en || CASE WHEN p.j = 0 THEN '[]'::jsonb
                        ELSE jsonb_build_array(jsonb_build_array(
                             CASE WHEN p.vkind = 's' THEN 'Size' ELSE 'Colour' END, p.opt_en)) END)
                   ) AS t(language, name, description, features)
        """,
        images=f"""
            SELECT p.id AS product_id, k AS position, %(base)s || {_demo_image_name_sql("k")} AS url
              FROM demo_p p CROSS JOIN LATERAL generate_series(0, p.nimg - 1) k
        """,  # noqa: S608 - fixed SQL fragments, values as parameters
        tags="""
            SELECT p.id AS product_id,
                   (%(tags)s::bigint[])[1 + mod(p.tag0 + k, cardinality(%(tags)s::bigint[]))] AS tag_id
              FROM demo_p p
             CROSS JOIN LATERAL generate_series(0, least(p.ntags, cardinality(%(tags)s::bigint[])) - 1) k
             WHERE p.j = 0
        """
        if setup["tags"]
        else None,
        stock="""
            SELECT p.id AS product_id, w.id AS warehouse_id,
                   CASE WHEN random() < 0.12 THEN 0 ELSE 1 + floor(random() * random() * 300)::int END
                   AS quantity
              FROM demo_p p CROSS JOIN unnest(%(warehouses)s::bigint[]) w(id)
             WHERE w.id = %(default_warehouse)s OR mod(hashint8extended(p.id, w.id), 3) = 0
        """,
        prices="""
            SELECT p.id AS product_id, g.id AS price_group_id,
                   greatest(ceil(p.base * g.factor / g.rate) - 0.01, 0.99) AS amount
              FROM demo_p p
             CROSS JOIN unnest(%(group_ids)s::bigint[], %(factors)s::numeric[], %(rates)s::numeric[])
                   g(id, factor, rate)
        """,
        params={
            "ext": "." + demo_images.extension(),
            "base": demo_images.image_url(""),
            "tags": setup["tags"],
            "warehouses": setup["warehouses"],
            "default_warehouse": inventory.default_warehouse_id,
            "group_ids": [g[0] for g in setup["groups"]],
            "factors": [g[1] for g in setup["groups"]],
            "rates": [g[2] for g in setup["groups"]],
        },
    )
    total = written.products
    result.products = count
    result.variants = total - count
    # What orders can sell: products without variants, and variants. Prices as in the retail groups.
    cursor.execute(
        """
        CREATE TEMP TABLE demo_s AS
        SELECT row_number() OVER (ORDER BY p.id) AS rn, p.id, p.sku, p.ean,
               CASE WHEN %(lang)s = 'pl' THEN p.name_pl ELSE p.name_en END AS name,
               n.weight, n.tax_rate, CASE WHEN p.j > 0 THEN p.id ELSE 0 END AS variant_id,
               ceil(p.base) - 0.01 AS price_pln, greatest(ceil(p.base / %(eur)s) - 0.01, 0.99) AS price_eur
          FROM demo_p p JOIN demo_names n ON n.idx = p.name_idx
         WHERE p.j > 0 OR p.nvar = 0
        """,
        {"lang": inventory.default_language, "eur": PLN_PER["EUR"]},
    )


def _sellable_from_catalog(cursor, inventory: Inventory) -> None:
    """``demo_s`` from the catalog's existing products (for orders without new products)."""
    cursor.execute(
        """
        CREATE TEMP TABLE demo_s AS
        SELECT row_number() OVER (ORDER BY p.id) AS rn, p.id, p.sku, p.ean,
               coalesce(t.name, nullif(p.sku, ''), 'Product ' || p.id) AS name, p.weight, p.tax_rate,
               CASE WHEN p.parent_id IS NULL THEN 0 ELSE p.id END AS variant_id,
               coalesce(pln.amount, 0) AS price_pln, coalesce(eur.amount, 0) AS price_eur
          FROM catalog_product p
          LEFT JOIN catalog_producttext t ON t.product_id = p.id AND t.language = %(lang)s
          LEFT JOIN LATERAL (SELECT pr.amount FROM catalog_price pr
                               JOIN catalog_pricegroup g ON g.id = pr.price_group_id
                              WHERE pr.product_id = p.id AND g.currency = 'PLN'
                              ORDER BY g.is_default DESC, g.id LIMIT 1) pln ON true
          LEFT JOIN LATERAL (SELECT pr.amount FROM catalog_price pr
                               JOIN catalog_pricegroup g ON g.id = pr.price_group_id
                              WHERE pr.product_id = p.id AND g.currency = 'EUR'
                              ORDER BY g.is_default DESC, g.id LIMIT 1) eur ON true
         WHERE p.inventory_id = %(inventory)s AND NOT p.is_bundle
           AND NOT EXISTS (SELECT 1 FROM catalog_product v WHERE v.parent_id = p.id)
        """,
        {"lang": inventory.default_language, "inventory": inventory.pk},
    )


def _orders(cursor, account, inventory, result: DemoDataResult, rng, *, count, lines, made) -> None:
    if not made:
        _sellable_from_catalog(cursor, inventory)
    cursor.execute("SELECT count(*) FROM demo_s")
    sellable = cursor.fetchone()[0]
    if not sellable:
        raise ValueError("The catalog has no products to order; add some products first.")
    cursor.execute("ANALYZE demo_s")
    slot_status, slot_kind, slot_paid = _statuses(account)
    sources = OrderSource.objects.filter(account=account).order_by("id")
    source = sources.filter(kind=OrderSource.Kind.PERSONAL).first() or sources.first()
    if not slot_status or source is None:
        raise ValueError("The account has no order statuses or no order source.")
    cursor.execute(
        """CREATE TEMP TABLE demo_buyers (idx int, fullname text, company text, nip text, email text,
               login text, phone text, address text, city text, postcode text, country text, currency text,
               delivery_method text, delivery_price numeric, free_from numeric, point_id text,
               point_name text, point_address text, point_postcode text, point_city text,
               payment_method text, cod boolean, comment text, want_invoice boolean)"""
    )
    buyers = _copy(
        cursor,
        "demo_buyers",
        "idx, fullname, company, nip, email, login, phone, address, city, postcode, country, currency, "
        "delivery_method, delivery_price, free_from, point_id, point_name, point_address, point_postcode, "
        "point_city, payment_method, cod, comment, want_invoice",
        _buyers(rng, BUYER_POOL),
    )
    cursor.execute("ANALYZE demo_buyers")
    params = {
        "count": count,
        "buyers": buyers,
        "lmin": lines[0],
        "lspan": lines[1] - lines[0] + 1,
        "slots": len(slot_status),
        "slot_status": slot_status,
        "slot_kind": [str(k) for k in slot_kind],
        "slot_paid": slot_paid,
        "seq": "orders_order",
        "sellable": sellable,
    }
    # Orders: random draws, then ids from the sequence in date order (newer orders, higher ids).
    cursor.execute(
        """
        CREATE TEMP TABLE demo_o AS
        WITH d AS MATERIALIZED (
            SELECT g, 1 + floor(random() * %(slots)s)::int AS slot,
                   1 + floor(random() * %(buyers)s)::int AS buyer,
                   %(lmin)s + floor(random() * %(lspan)s)::int AS nlines, random() AS r_date,
                   random() AS r_status, random() AS r_paid, random() AS r_note, random() AS r_track
              FROM generate_series(1, %(count)s) g),
        e AS MATERIALIZED (
            SELECT d.g, d.buyer, d.nlines, d.r_note, (%(slot_status)s::bigint[])[d.slot] AS status_id,
                   (%(slot_kind)s::text[])[d.slot] AS kind,
                   NOT b.cod AND d.r_paid < (%(slot_paid)s::float8[])[d.slot] AS paid,
                   b.currency, d.r_status, d.r_track,
                   date_trunc('second', now() - CASE WHEN (%(slot_kind)s::text[])[d.slot] = 'new'
                        THEN d.r_date * interval '3 days'
                        ELSE interval '2 hours' + d.r_date * interval '90 days' END) AS date_add
              FROM d JOIN demo_buyers b ON b.idx = d.buyer),
        f AS MATERIALIZED (SELECT * FROM e ORDER BY date_add)
        SELECT nextval(pg_get_serial_sequence(%(seq)s, 'id')) AS id, f.g, f.buyer, f.nlines, f.r_note,
               f.status_id, f.kind, f.paid, f.currency, f.date_add,
               CASE WHEN f.kind = 'new' THEN f.date_add
                    ELSE date_trunc('second',
                                    f.date_add + least(now() - f.date_add, interval '6 days') * f.r_status)
                    END AS date_in_status,
               CASE WHEN f.kind = 'sent'
                    THEN lpad(floor(f.r_track * 1e13)::bigint::text, 13, '0') END AS tracking
          FROM f
        """,
        params,
    )
    cursor.execute("ANALYZE demo_o")
    cursor.execute(
        """
        CREATE TEMP TABLE demo_l AS
        WITH d AS MATERIALIZED (
            SELECT o.id AS order_id, o.currency, k, 1 + floor(random() * %(sellable)s)::int AS rn,
                   CASE WHEN random() < 0.72 THEN 1 WHEN random() < 0.7 THEN 2
                        ELSE 3 + floor(random() * 3)::int END AS quantity
              FROM demo_o o CROSS JOIN LATERAL generate_series(1, o.nlines) k)
        SELECT d.order_id, d.k, d.quantity, s.id AS product_id, s.sku, s.ean, s.name, s.weight, s.tax_rate,
               s.variant_id, CASE WHEN d.currency = 'EUR' THEN s.price_eur ELSE s.price_pln END AS price
          FROM d JOIN demo_s s ON s.rn = d.rn
        """,
        params,
    )
    result.lines = cursor.rowcount
    cursor.execute(
        """
        CREATE TEMP TABLE demo_t AS
        SELECT order_id, sum(price * quantity) AS total, sum(weight * quantity) AS weight
          FROM demo_l GROUP BY order_id
        """
    )
    cursor.execute(
        """
        INSERT INTO orders_order (
            id, account_id, source_id, status_id, date_add, date_in_status, confirmed, date_confirmed,
            shop_order_id, external_order_id, user_login, email, phone, user_comments, admin_comments,
            currency, payment_method, payment_method_cod, payment_done, delivery_method, delivery_price,
            delivery_package_module, delivery_package_nr, delivery_fullname, delivery_company,
            delivery_address, delivery_city, delivery_state, delivery_postcode, delivery_country_code,
            delivery_point_id, delivery_point_name, delivery_point_address, delivery_point_postcode,
            delivery_point_city, invoice_fullname, invoice_company, invoice_nip, invoice_address,
            invoice_city, invoice_state, invoice_postcode, invoice_country_code, want_invoice,
            extra_field_1, extra_field_2, custom_extra_fields, star, is_technical)
        SELECT o.id, %(account)s, %(source)s, o.status_id, o.date_add, o.date_in_status, o.kind <> 'new',
               CASE WHEN o.kind <> 'new' THEN o.date_add + interval '17 minutes' END,
               0, '', b.login, b.email, b.phone,
               CASE WHEN o.r_note < 0.08 THEN b.comment ELSE '' END,
               CASE WHEN o.r_note > 0.97 THEN (%(admin_comments)s::text[])[1 + mod(o.g, 3)] ELSE '' END,
               o.currency, b.payment_method, b.cod,
               CASE WHEN o.paid THEN t.total + dp.price ELSE 0 END,
               b.delivery_method, dp.price,
               CASE WHEN o.tracking IS NULL THEN '' ELSE 'manual' END, coalesce(o.tracking, ''),
               b.fullname, b.company, b.address, b.city, '', b.postcode, b.country,
               b.point_id, b.point_name, b.point_address, b.point_postcode, b.point_city,
               CASE WHEN b.want_invoice THEN b.fullname ELSE '' END,
               CASE WHEN b.want_invoice THEN b.company ELSE '' END,
               CASE WHEN b.want_invoice THEN b.nip ELSE '' END,
               CASE WHEN b.want_invoice THEN b.address ELSE '' END,
               CASE WHEN b.want_invoice THEN b.city ELSE '' END, '',
               CASE WHEN b.want_invoice THEN b.postcode ELSE '' END,
               CASE WHEN b.want_invoice THEN b.country ELSE '' END,
               b.want_invoice, '', '', '{}', CASE WHEN o.r_note BETWEEN 0.5 AND 0.52 THEN 1 ELSE 0 END, false
          FROM demo_o o JOIN demo_buyers b ON b.idx = o.buyer JOIN demo_t t ON t.order_id = o.id
         CROSS JOIN LATERAL (SELECT CASE WHEN t.total >= b.free_from THEN 0 ELSE b.delivery_price END
                             AS price) dp
         ORDER BY o.id
        """,
        {"account": account.pk, "source": source.pk, "admin_comments": list(ADMIN_COMMENTS)},
    )
    result.orders = cursor.rowcount
    cursor.execute(
        """
        INSERT INTO orders_orderline (order_id, product_id, warehouse_id, storage, storage_id, variant_id,
                                      sku, ean, name, attributes, price_brutto, tax_rate, quantity, weight,
                                      reserved)
        SELECT order_id, product_id, %(warehouse)s, 'db', %(inventory)s, variant_id, sku, ean,
               left(name, 200), '', price, tax_rate, quantity, weight, 0
          FROM demo_l ORDER BY order_id, k
        """,
        {"warehouse": inventory.default_warehouse_id, "inventory": inventory.pk},
    )
    cursor.execute(
        """
        INSERT INTO orders_journalentry (account_id, order_id, type, object_id, origin_kind, origin_label,
                                         data, created_at)
        SELECT %s, id, %s, 0, %s, %s, '{}', date_add FROM demo_o ORDER BY id
        """,
        [account.pk, JournalEntry.Type.ORDER_CREATED, ORIGIN.kind, ORIGIN.as_fields()["origin_label"]],
    )
    # Packages of the sent orders (manual courier, the order's tracking number), journaled as created.
    cursor.execute(
        """
        WITH pk AS (
            INSERT INTO shipments_package (account_id, order_id, courier_code, courier_package_nr,
                                           courier_inner_number, tracking_url, weight, length, width, height,
                                           label_pdf, created_at, tracking_status, tracking_status_date)
            SELECT %(account)s, o.id, 'manual', o.tracking, '', '', t.weight,
                   CASE WHEN t.weight < 1 THEN 25 WHEN t.weight < 5 THEN 40 ELSE 60 END,
                   CASE WHEN t.weight < 1 THEN 18 WHEN t.weight < 5 THEN 30 ELSE 40 END,
                   CASE WHEN t.weight < 1 THEN 10 WHEN t.weight < 5 THEN 20 ELSE 40 END,
                   NULL, o.date_in_status,
                   CASE WHEN now() - o.date_in_status > interval '3 days' THEN 5
                        WHEN now() - o.date_in_status > interval '1 day' THEN 11 ELSE 2 END,
                   date_trunc('second', o.date_in_status + (now() - o.date_in_status) / 2)
              FROM demo_o o JOIN demo_t t ON t.order_id = o.id
             WHERE o.tracking IS NOT NULL
             ORDER BY o.id
            RETURNING id, order_id, courier_package_nr, created_at)
        INSERT INTO orders_journalentry (account_id, order_id, type, object_id, origin_kind, origin_label,
                                         data, created_at)
        SELECT %(account)s, order_id, %(type)s, id, %(origin_kind)s, %(origin_label)s,
               jsonb_build_object('courier_code', 'manual', 'package_number', courier_package_nr), created_at
          FROM pk ORDER BY id
        """,
        {
            "account": account.pk,
            "type": JournalEntry.Type.PACKAGE_CREATED,
            "origin_kind": ORIGIN.kind,
            "origin_label": ORIGIN.as_fields()["origin_label"],
        },
    )
    result.packages = cursor.rowcount


# The orders' tables the demo fills, children first; each DELETE is one statement over the account's rows.
_PURGE = (
    "DELETE FROM orders_journalentry WHERE account_id = %(a)s",
    "DELETE FROM shipments_trackingevent WHERE package_id IN"
    " (SELECT id FROM shipments_package WHERE account_id = %(a)s)",
    "DELETE FROM shipments_package WHERE account_id = %(a)s",
    "DELETE FROM orders_orderline WHERE order_id IN (SELECT id FROM orders_order WHERE account_id = %(a)s)",
    "DELETE FROM orders_order_merged_from WHERE from_order_id IN"
    " (SELECT id FROM orders_order WHERE account_id = %(a)s)"
    " OR to_order_id IN (SELECT id FROM orders_order WHERE account_id = %(a)s)",
    "DELETE FROM orders_automationrun WHERE account_id = %(a)s",
    "DELETE FROM orders_order WHERE account_id = %(a)s",
)


@transaction.atomic
def demo_account_delete(account: Account) -> None:
    """Delete a throw-away account (benchmarks, demo resets) and everything in it.

    The big tables go first with one DELETE each — the orders' here, the catalog's through its bulk
    layer (foreign keys are checked at commit, so the order within the transaction is free); what is
    left is small and goes through the ORM's cascade. Only for accounts that nothing outside them refers
    to (e.g. no Connect partners).
    """
    with connection.cursor() as cursor:
        for statement in _PURGE:
            cursor.execute(statement, {"a": account.pk})
    bulk.products_purge(actor=_demo_actor(account), origin=ORIGIN)
    Inventory.objects.filter(account=account).delete()
    account.delete()

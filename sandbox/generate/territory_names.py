"""Regions of domain/TERRITORY.md and real district names per region (without 'tumani')."""

from __future__ import annotations

REGIONS: tuple[tuple[str, str], ...] = (
    ("1703", "Andijon viloyati"),
    ("1706", "Buxoro viloyati"),
    ("1708", "Jizzax viloyati"),
    ("1710", "Qashqadaryo viloyati"),
    ("1712", "Navoiy viloyati"),
    ("1714", "Namangan viloyati"),
    ("1718", "Samarqand viloyati"),
    ("1722", "Surxondaryo viloyati"),
    ("1724", "Sirdaryo viloyati"),
    ("1726", "Toshkent shahri"),
    ("1727", "Toshkent viloyati"),
    ("1730", "Fargʻona viloyati"),
    ("1733", "Xorazm viloyati"),
    ("1735", "Qoraqalpogʻiston Respublikasi"),
)

URBAN_REGION = "1726"
"""Toshkent shahri: flats instead of household plots."""

DISTRICTS: dict[str, tuple[str, ...]] = {
    "1703": ("Asaka", "Andijon", "Baliqchi", "Boʻston", "Buloqboshi", "Izboskan", "Jalaquduq",
             "Xoʻjaobod", "Qoʻrgʻontepa", "Marhamat", "Oltinkoʻl", "Paxtaobod", "Shahrixon",
             "Ulugʻnor"),
    "1706": ("Olot", "Buxoro", "Vobkent", "Gʻijduvon", "Jondor", "Kogon", "Qorakoʻl",
             "Qorovulbozor", "Peshku", "Romitan", "Shofirkon"),
    "1708": ("Arnasoy", "Baxmal", "Doʻstlik", "Forish", "Gʻallaorol", "Sharof Rashidov",
             "Mirzachoʻl", "Paxtakor", "Yangiobod", "Zomin", "Zafarobod", "Zarbdor"),
    "1710": ("Dehqonobod", "Kasbi", "Kitob", "Koson", "Mirishkor", "Muborak", "Nishon",
             "Qamashi", "Qarshi", "Shahrisabz", "Yakkabogʻ", "Chiroqchi", "Gʻuzor"),
    "1712": ("Konimex", "Qiziltepa", "Navbahor", "Karmana", "Nurota", "Tomdi", "Uchquduq",
             "Xatirchi"),
    "1714": ("Chortoq", "Chust", "Kosonsoy", "Mingbuloq", "Namangan", "Norin", "Pop",
             "Toʻraqoʻrgʻon", "Uchqoʻrgʻon", "Uychi", "Yangiqoʻrgʻon"),
    "1718": ("Bulungʻur", "Ishtixon", "Jomboy", "Kattaqoʻrgʻon", "Qoʻshrabot", "Narpay",
             "Nurobod", "Oqdaryo", "Paxtachi", "Payariq", "Pastdargʻom", "Samarqand", "Toyloq",
             "Urgut"),
    "1722": ("Angor", "Boysun", "Denov", "Jarqoʻrgʻon", "Qiziriq", "Qumqoʻrgʻon", "Muzrabot",
             "Oltinsoy", "Sariosiyo", "Sherobod", "Shoʻrchi", "Termiz", "Uzun"),
    "1724": ("Oqoltin", "Boyovut", "Guliston", "Xovos", "Mirzaobod", "Sayxunobod", "Sardoba",
             "Sirdaryo"),
    "1726": ("Bektemir", "Chilonzor", "Mirobod", "Mirzo Ulugʻbek", "Sergeli", "Shayxontohur",
             "Olmazor", "Uchtepa", "Yakkasaroy", "Yashnobod", "Yunusobod", "Yangihayot"),
    "1727": ("Bekobod", "Boʻstonliq", "Boʻka", "Chinoz", "Qibray", "Ohangaron", "Oqqoʻrgʻon",
             "Parkent", "Piskent", "Quyichirchiq", "Zangiota", "Yuqorichirchiq", "Yangiyoʻl",
             "Oʻrtachirchiq"),
    "1730": ("Oltiariq", "Bagʻdod", "Beshariq", "Buvayda", "Dangʻara", "Fargʻona", "Furqat",
             "Qoʻshtepa", "Quva", "Rishton", "Soʻx", "Toshloq", "Uchkoʻprik", "Oʻzbekiston",
             "Yozyovon"),
    "1733": ("Bogʻot", "Gurlan", "Xonqa", "Hazorasp", "Xiva", "Qoʻshkoʻpir", "Shovot", "Urganch",
             "Yangiariq", "Yangibozor", "Tuproqqalʼa"),
    "1735": ("Amudaryo", "Beruniy", "Chimboy", "Ellikqalʼa", "Kegeyli", "Moʻynoq", "Nukus",
             "Qanlikoʻl", "Qoʻngʻirot", "Qoraoʻzak", "Shumanay", "Taxtakoʻpir", "Toʻrtkoʻl",
             "Xoʻjayli"),
}  # fmt: skip

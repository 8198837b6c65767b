"""Uzbek name stock: (official Latin, Cyrillic) pairs for surnames and given names.

Latin uses the official modifier letter ʻ (U+02BB) in oʻ and gʻ; sources vary it when they
write. Surnames are the masculine form (-ov/-ev); the feminine adds -a / -а. Male given names
end in a consonant so the Russian patronymic is simply + ович / овна.
"""

from __future__ import annotations

SURNAMES: tuple[tuple[str, str], ...] = (
    ("Abdullayev", "Абдуллаев"), ("Karimov", "Каримов"), ("Rahimov", "Раҳимов"),
    ("Yusupov", "Юсупов"), ("Tursunov", "Турсунов"), ("Ismoilov", "Исмоилов"),
    ("Xolmatov", "Холматов"), ("Ergashev", "Эргашев"), ("Nazarov", "Назаров"),
    ("Qodirov", "Қодиров"), ("Sobirov", "Собиров"), ("Mirzayev", "Мирзаев"),
    ("Aliyev", "Алиев"), ("Hasanov", "Ҳасанов"), ("Usmonov", "Усмонов"),
    ("Toʻxtayev", "Тўхтаев"), ("Gʻaniyev", "Ғаниев"), ("Oʻrinboyev", "Ўринбоев"),
    ("Sharipov", "Шарипов"), ("Joʻrayev", "Жўраев"), ("Umarov", "Умаров"),
    ("Rasulov", "Расулов"), ("Saidov", "Саидов"), ("Jalilov", "Жалилов"),
    ("Hamidov", "Ҳамидов"), ("Mahmudov", "Маҳмудов"), ("Normatov", "Норматов"),
    ("Xudoyberdiyev", "Худойбердиев"), ("Boboyev", "Бобоев"), ("Qurbonov", "Қурбонов"),
    ("Rustamov", "Рустамов"), ("Nurmatov", "Нурматов"), ("Sultonov", "Султонов"),
    ("Islomov", "Исломов"), ("Yoʻldoshev", "Йўлдошев"), ("Ahmedov", "Аҳмедов"),
    ("Abdurahmonov", "Абдураҳмонов"), ("Shukurov", "Шукуров"), ("Komilov", "Комилов"),
    ("Fayzullayev", "Файзуллаев"), ("Eshmatov", "Эшматов"), ("Toshmatov", "Тошматов"),
    ("Murodov", "Муродов"), ("Zokirov", "Зокиров"), ("Valiyev", "Валиев"),
    ("Haydarov", "Ҳайдаров"), ("Ibrohimov", "Иброҳимов"), ("Otaboyev", "Отабоев"),
    ("Safarov", "Сафаров"), ("Berdiyev", "Бердиев"), ("Qosimov", "Қосимов"),
    ("Ochilov", "Очилов"), ("Pardayev", "Пардаев"), ("Mamatov", "Маматов"),
    ("Sattorov", "Сатторов"), ("Tojiboyev", "Тожибоев"), ("Xoliqov", "Холиқов"),
    ("Mansurov", "Мансуров"), ("Abdusattorov", "Абдусатторов"), ("Gʻofurov", "Ғофуров"),
)  # fmt: skip

MALE_GIVEN: tuple[tuple[str, str], ...] = (
    ("Akmal", "Акмал"), ("Baxtiyor", "Бахтиёр"), ("Jasur", "Жасур"), ("Sherzod", "Шерзод"),
    ("Otabek", "Отабек"), ("Dilshod", "Дилшод"), ("Bobur", "Бобур"), ("Anvar", "Анвар"),
    ("Rustam", "Рустам"), ("Alisher", "Алишер"), ("Sardor", "Сардор"), ("Javlon", "Жавлон"),
    ("Farhod", "Фарҳод"), ("Ulugʻbek", "Улуғбек"), ("Oʻtkir", "Ўткир"), ("Gʻayrat", "Ғайрат"),
    ("Jamshid", "Жамшид"), ("Shuhrat", "Шуҳрат"), ("Botir", "Ботир"), ("Nodir", "Нодир"),
    ("Ravshan", "Равшан"), ("Zafar", "Зафар"), ("Sanjar", "Санжар"), ("Shavkat", "Шавкат"),
    ("Hamid", "Ҳамид"), ("Komil", "Комил"), ("Ilhom", "Илҳом"), ("Xurshid", "Хуршид"),
    ("Qahramon", "Қаҳрамон"), ("Mansur", "Мансур"), ("Temur", "Темур"), ("Asilbek", "Асилбек"),
    ("Doniyor", "Дониёр"), ("Eldor", "Элдор"), ("Islom", "Ислом"), ("Murod", "Мурод"),
    ("Nurbek", "Нурбек"), ("Oybek", "Ойбек"), ("Tohir", "Тоҳир"), ("Umid", "Умид"),
    ("Yusuf", "Юсуф"), ("Zohid", "Зоҳид"), ("Bahodir", "Баҳодир"), ("Erkin", "Эркин"),
    ("Husan", "Ҳусан"), ("Sirojiddin", "Сирожиддин"), ("Azizbek", "Азизбек"),
    ("Mirjalol", "Миржалол"), ("Gʻulom", "Ғулом"), ("Qobil", "Қобил"),
)  # fmt: skip

FEMALE_GIVEN: tuple[tuple[str, str], ...] = (
    ("Dilnoza", "Дилноза"), ("Gulnora", "Гулнора"), ("Nigora", "Нигора"), ("Mohira", "Моҳира"),
    ("Shahnoza", "Шаҳноза"), ("Zuhra", "Зуҳра"), ("Oʻgʻiloy", "Ўғилой"), ("Malika", "Малика"),
    ("Madina", "Мадина"), ("Feruza", "Феруза"), ("Nilufar", "Нилуфар"), ("Sevara", "Севара"),
    ("Dildora", "Дилдора"), ("Barno", "Барно"), ("Gulchehra", "Гулчеҳра"),
    ("Xurshida", "Хуршида"), ("Kamola", "Камола"), ("Laylo", "Лайло"), ("Munisa", "Муниса"),
    ("Nodira", "Нодира"), ("Ozoda", "Озода"), ("Roʻzixon", "Рўзихон"), ("Saida", "Саида"),
    ("Umida", "Умида"), ("Yulduz", "Юлдуз"), ("Zarina", "Зарина"), ("Hilola", "Ҳилола"),
    ("Mavluda", "Мавлуда"), ("Muhabbat", "Муҳаббат"), ("Dilfuza", "Дилфуза"),
    ("Gulbahor", "Гулбаҳор"), ("Shoira", "Шоира"), ("Manzura", "Манзура"), ("Qunduz", "Қундуз"),
    ("Robiya", "Робия"), ("Sohiba", "Соҳиба"), ("Charos", "Чарос"), ("Gʻuncha", "Ғунча"),
    ("Oydin", "Ойдин"), ("Mastura", "Мастура"),
)  # fmt: skip

STREETS: tuple[str, ...] = (
    "Navoiy", "Amir Temur", "Mustaqillik", "Bobur", "Istiqlol", "Oʻzbekiston", "Bogʻbon",
    "Yangi hayot", "Paxtakor", "Gulzor", "Tinchlik", "Mirzo Ulugʻbek", "Choʻlpon",
    "Abdulla Qodiriy", "Furqat", "Muqimiy", "Ogahiy", "Zarafshon", "Nurafshon", "Bunyodkor",
    "Doʻstlik", "Chinor", "Olmazor", "Sharq", "Guliston", "Bahor", "Navroʻz", "Ipak yoʻli",
)  # fmt: skip

MAHALLA_NAMES: tuple[str, ...] = (
    "Navbahor", "Bogʻishamol", "Guliston", "Mustaqillik", "Tinchlik", "Yangi hayot",
    "Doʻstlik", "Obod", "Istiqlol", "Bunyodkor", "Oq oltin", "Navroʻz", "Nurafshon",
    "Sharq yulduzi", "Yangiobod", "Bahor", "Gulzor", "Bogʻbon", "Chinor", "Olmazor",
    "Mehnatobod", "Ziyokor", "Gulshan", "Oqtepa", "Qoraqamish", "Yoshlik", "Mirobod",
    "Paxtakor", "Tongotar", "Ittifoq", "Farovon", "Sogʻlom avlod", "Nihol", "Umid", "Zafar",
    "Beshbuloq", "Xalqobod", "Charxin", "Qoʻshariq", "Ipak yoʻli",
)  # fmt: skip

LEGAL_ENTITY_NAMES: tuple[str, ...] = (
    "Bogʻbon agro", "Oltin vodiy", "Yashil makon", "Barakali hosil", "Sharq meva",
    "Zamin fermer", "Obod qishloq", "Issiqxona servis", "Sahovat agro", "Mevazor",
)  # fmt: skip

/*
 * seed.c - the seed corpus: for each topic five problem sentences and two
 * details per language, joined with shared phrases drawn by a seeded
 * generator. Kazakh Latin texts are the Cyrillic ones through
 * translit_to_latin(). Exports what seed.h lists; everything else is static.
 */
#include "pipeline/seed.h"

#include <string.h>

#include "base/buf.h"
#include "base/util.h"
#include "text/translit.h"

enum { PROBLEMS = 5, DETAILS = 2 };

struct topic_text {
    const char *code;
    const char *kk[PROBLEMS], *ru[PROBLEMS], *en[PROBLEMS];
    const char *kk_d[DETAILS], *ru_d[DETAILS], *en_d[DETAILS];
};

static const struct topic_text topics[] = {
    {"roads",
     {"Көшедегі жол төсемі бұзылып, үлкен шұңқырлар пайда болды.",
      "Асфальт жамалмаған, көліктер дөңгелектерін сындырып жатыр.",
      "Жаяу жүргіншілер жолағы өшіп қалған, белгі жоқ.",
      "Жол жиегі мен тротуар бұзылған, жөндеу керек.",
      "Қыста жол қардан тазаланбайды, мұз басып жатыр."},
     {"На дороге по нашей улице огромные ямы, асфальт разбит.",
      "Дорожное покрытие разрушено, машины повреждают колёса.",
      "Стёрлась разметка пешеходного перехода, нет дорожного знака.",
      "Тротуар и бордюр разбиты, нужен ремонт дороги.",
      "Зимой дорогу не чистят от снега, сплошной гололёд."},
     {"The road on our street is full of deep potholes and broken asphalt.",
      "The road surface has crumbled and cars are damaging their tyres.",
      "The pedestrian crossing markings have worn off and there is no road sign.",
      "The pavement and the kerb are broken; the road needs repair.",
      "The road is not cleared of snow in winter and is covered in ice."},
     {"Жол жөндеуі бірнеше жыл бойы жүргізілмеген.", "Шұңқырдан аулақ жүру мүмкін емес."},
     {"Ремонт дороги не проводился несколько лет.", "Объехать яму невозможно."},
     {"The road has not been repaired for several years.",
      "There is no way to drive around the pothole."}},
    {"housing",
     {"Көпқабатты үйдің шатыры ағып, пәтерге су кіріп жатыр.",
      "Кіреберісте лифт істемейді, жөндеу жүргізілмейді.",
      "Үйдің подъезі лас, жарық шамдары жанбайды.", "Басқарушы компания үйге қызмет көрсетпейді.",
      "Қоқыс шығарылмайды, аулада қоқыс жиналып қалды."},
     {"В многоквартирном доме протекает крыша, вода в квартире.",
      "В подъезде не работает лифт, управляющая компания бездействует.",
      "В подъезде грязно, не горят лампочки, нет уборки.",
      "КСК не обслуживает дом, а плату за содержание берут.",
      "Не вывозят мусор, во дворе переполнены контейнеры."},
     {"The roof of our apartment block leaks and water comes into the flat.",
      "The lift in the entrance has been broken and the management company does nothing.",
      "The stairwell is dirty and the lights do not work.",
      "The housing company does not maintain the building but charges fees.",
      "Rubbish is not collected and the bins in the yard overflow."},
     {"Тұрғындар басқарушы компанияға бірнеше рет жүгінді.", "Үйді күрделі жөндеу қажет."},
     {"Жильцы много раз обращались в управляющую компанию.", "Дому нужен капитальный ремонт."},
     {"The residents have complained to the management company many times.",
      "The building needs a major overhaul."}},
    {"water",
     {"Үйде ыстық су жоқ, жылу беру де әлсіз.", "Суық су күнде сөніп қалады, қысым өте төмен.",
      "Батареялар суық, пәтерде қатты суық.", "Су құбыры жарылып, көшеге су ағып жатыр.",
      "Ауыз судың түсі лай, иісі жаман."},
     {"В доме нет горячей воды, отопление еле тёплое.",
      "Холодную воду отключают каждый день, напор очень слабый.",
      "Батареи холодные, в квартире очень холодно.", "Прорвало водопровод, вода течёт по улице.",
      "Питьевая вода мутная и с запахом."},
     {"There is no hot water in the building and the heating is barely warm.",
      "The cold water is cut off every day and the pressure is very low.",
      "The radiators are cold and the flat is freezing.",
      "A water main has burst and water is running down the street.",
      "The tap water is cloudy and smells bad."},
     {"Жылу маусымы басталса да, батареялар жылымайды.", "Су арнасы мен жылу желілері ескі."},
     {"Отопительный сезон начался, а батареи не греют.", "Водопровод и теплосети давно изношены."},
     {"The heating season has started but the radiators stay cold.",
      "The water pipes and heating network are worn out."}},
    {"transport",
     {"Автобус кестесі сақталмайды, аялдамада сағаттап күтеміз.",
      "Біздің ауданға қоғамдық көлік бармайды.",
      "Автобус жүргізушісі жолаушыларға дөрекі сөйлейді.",
      "Автобустар толы, балалармен мінуге болмайды.",
      "Аялдамада павильон жоқ, жолаушылар жаңбыр астында тұрады."},
     {"Автобусы не соблюдают расписание, на остановке ждём по часу.",
      "В наш микрорайон не ходит общественный транспорт.", "Водитель автобуса грубит пассажирам.",
      "Автобусы переполнены, с детьми не сесть.",
      "На остановке нет павильона, пассажиры стоят под дождём."},
     {"The buses do not keep to the timetable and we wait an hour at the stop.",
      "No public transport goes to our neighbourhood.", "The bus driver is rude to passengers.",
      "The buses are overcrowded and you cannot get on with children.",
      "The bus stop has no shelter and passengers stand in the rain."},
     {"Маршрутты ұзарту немесе жаңа маршрут ашу керек.",
      "Кешкі уақытта автобустар мүлде жүрмейді."},
     {"Нужно продлить маршрут или открыть новый.", "Вечером автобусы вообще не ходят."},
     {"The route should be extended or a new one opened.",
      "In the evening the buses do not run at all."}},
    {"health",
     {"Емханада дәрігерге жазылу мүмкін емес, кезек өте ұзын.",
      "Жедел жәрдем үш сағат бойы келмеді.", "Ауруханада тегін дәрі-дәрмек берілмейді.",
      "Учаскелік дәрігер үйге келуден бас тартты.",
      "Емханада маман дәрігер жоқ, жолдама берілмейді."},
     {"В поликлинике невозможно записаться к врачу, огромные очереди.",
      "Скорая помощь ехала три часа.", "В больнице не выдают бесплатные лекарства.",
      "Участковый терапевт отказался прийти на дом.",
      "В поликлинике нет узких специалистов, не дают направление."},
     {"It is impossible to get an appointment at the clinic and the queues are huge.",
      "The ambulance took three hours to arrive.", "The hospital does not provide free medicines.",
      "The district doctor refused to make a home visit.",
      "The clinic has no specialists and will not give a referral."},
     {"Науқас адам емделе алмай жүр.", "Медициналық көмек сапасы нашар."},
     {"Больной человек не может получить лечение.", "Качество медицинской помощи низкое."},
     {"A sick person cannot get treatment.", "The quality of medical care is poor."}},
    {"education",
     {"Мектепте орын жоқ, балаларды үш ауысымда оқытады.",
      "Балабақшаға кезек бірнеше жылдан бері жылжымайды.",
      "Мектепте мұғалімдер жетіспейді, сабақтар өтпейді.",
      "Мектеп асханасындағы тамақ сапасы нашар.",
      "Мектеп ғимаратын жөндеу керек, сыныптарда суық."},
     {"В школе не хватает мест, дети учатся в три смены.",
      "Очередь в детский сад не движется несколько лет.",
      "В школе не хватает учителей, уроки не проводятся.", "В школьной столовой кормят плохо.",
      "Здание школы требует ремонта, в классах холодно."},
     {"The school has no places and children study in three shifts.",
      "The kindergarten waiting list has not moved for years.",
      "The school is short of teachers and lessons are cancelled.",
      "The food in the school canteen is poor.",
      "The school building needs repair and the classrooms are cold."},
     {"Ата-аналар мектеп директорына жүгінді.", "Оқушылардың білім сапасы төмендеп барады."},
     {"Родители обращались к директору школы.", "Качество обучения детей падает."},
     {"Parents have appealed to the head teacher.",
      "The quality of the pupils' education is falling."}},
    {"social",
     {"Зейнетақы уақытында төленбейді.", "Мүгедектік бойынша жәрдемақы тоқтатылды.",
      "Көп балалы отбасына әлеуметтік көмек берілмейді.",
      "Атаулы әлеуметтік көмекке құжаттар қабылданбайды.", "Бала күтімі бойынша төлем келмеді."},
     {"Пенсию не выплачивают вовремя.", "Прекратили выплату пособия по инвалидности.",
      "Многодетной семье не оказывают социальную помощь.",
      "Не принимают документы на адресную социальную помощь.",
      "Не пришла выплата по уходу за ребёнком."},
     {"My pension is not paid on time.", "The disability allowance has been stopped.",
      "A large family receives no social assistance.",
      "They will not accept the documents for targeted social assistance.",
      "The childcare benefit has not arrived."},
     {"Зейнетақы қорына бірнеше рет хат жаздым.", "Жәрдемақының мөлшері қате есептелген."},
     {"Я несколько раз писал в пенсионный фонд.", "Размер пособия рассчитан неправильно."},
     {"I have written to the pension fund several times.",
      "The amount of the benefit was calculated wrongly."}},
    {"employment",
     {"Жұмыс беруші жалақыны үш ай бойы төлемей отыр.", "Мені жұмыстан заңсыз шығарды.",
      "Жұмыспен қамту орталығы жұмыс ұсынбайды.", "Еңбек шарты жасалмай жұмыс істеуге мәжбүрміз.",
      "Кәсіпорында еңбек қауіпсіздігі сақталмайды."},
     {"Работодатель три месяца не выплачивает зарплату.", "Меня незаконно уволили с работы.",
      "Центр занятости не предлагает вакансий.", "Заставляют работать без трудового договора.",
      "На предприятии не соблюдается охрана труда."},
     {"My employer has not paid wages for three months.", "I was dismissed from my job unlawfully.",
      "The employment centre offers no vacancies.",
      "We are made to work without an employment contract.",
      "Occupational safety rules are ignored at the plant."},
     {"Еңбек инспекциясы тексеру жүргізуі керек.", "Жұмысшылар жалақысыз қалды."},
     {"Трудовая инспекция должна провести проверку.", "Работники остались без зарплаты."},
     {"The labour inspectorate should carry out an inspection.",
      "The workers have been left without pay."}},
    {"land",
     {"Жер учаскесін алу кезегі жылжымайды.", "Көршім менің жер учаскемнің шекарасын басып алды.",
      "Жер учаскесіне құжаттарды әкімдік рәсімдемейді.", "Жайылым жерлері заңсыз жекеге берілген.",
      "Жер учаскесінің кадастрлық нөмірі қате."},
     {"Очередь на получение земельного участка не движется.",
      "Сосед самовольно захватил часть моего участка.",
      "Акимат не оформляет документы на земельный участок.",
      "Пастбищные земли незаконно отданы в частные руки.",
      "В кадастре неверно указаны границы участка."},
     {"The waiting list for a land plot has not moved.",
      "My neighbour has taken over part of my plot.",
      "The akimat will not register the documents for my land plot.",
      "Pasture land has been handed to private owners unlawfully.",
      "The land cadastre shows the wrong boundaries of my plot."},
     {"Жер қатынастары бөлімі жауап бермейді.", "Жер телімі бойынша дау шешілмей жатыр."},
     {"Отдел земельных отношений не отвечает.", "Земельный спор не решается."},
     {"The land relations department does not answer.", "The land dispute remains unresolved."}},
    {"ecology",
     {"Зауыт ауаны ластап, қала түтінге толды.", "Өзенге ағынды сулар төгіліп жатыр.",
      "Қала шетінде заңсыз қоқыс полигоны пайда болды.", "Саябақтағы ағаштар заңсыз кесілуде.",
      "Ауада күйік иісі, тыныс алу қиын."},
     {"Завод загрязняет воздух, город в дыму.", "В реку сбрасывают сточные воды.",
      "На окраине города появилась незаконная свалка.", "В парке незаконно вырубают деревья.",
      "В воздухе запах гари, трудно дышать."},
     {"The plant is polluting the air and the city is full of smoke.",
      "Sewage is being dumped into the river.",
      "An illegal rubbish dump has appeared on the edge of town.",
      "Trees in the park are being cut down illegally.",
      "The air smells of burning and it is hard to breathe."},
     {"Экологиялық тексеру жүргізуді сұраймын.", "Қоршаған ортаға зиян келіп жатыр."},
     {"Прошу провести экологическую проверку.", "Окружающей среде наносится вред."},
     {"I ask for an environmental inspection.", "The environment is being damaged."}},
    {"public-order",
     {"Түнде аулада жастар шулап, қоғамдық тәртіпті бұзады.",
      "Көшеде бұзақылар жүр, тұрғындар қауіптенеді.", "Подъезде ішімдік ішіп, төбелес шығарады.",
      "Біздің ауданда ұрлық жиіледі.", "Учаскелік полиция инспекторы шағымға жауап бермейді."},
     {"Ночью во дворе шумят, нарушают общественный порядок.",
      "На улице хулиганы, жители боятся выходить.",
      "В подъезде распивают спиртное и устраивают драки.", "В нашем районе участились кражи.",
      "Участковый полицейский не реагирует на жалобы."},
     {"Young people make noise in the yard at night and disturb public order.",
      "Hooligans roam the street and residents are afraid to go out.",
      "People drink alcohol and start fights in the stairwell.",
      "Thefts have become frequent in our district.",
      "The local police officer ignores complaints."},
     {"Полиция патрульді күшейтуі керек.", "Тұрғындардың қауіпсіздігі қамтамасыз етілмеген."},
     {"Полиции нужно усилить патрулирование.", "Безопасность жителей не обеспечена."},
     {"The police should patrol more often.", "The residents' safety is not ensured."}},
    {"stray-animals",
     {"Көшеде иесіз иттер үйірімен жүр, балаларға шабады.",
      "Мектеп маңында қаңғыбас иттер көбейді.", "Иесіз ит баланы қауып алды.",
      "Аулада қаңғыбас мысықтар мен иттер көп.", "Иесіз жануарларды аулау қызметі келмейді."},
     {"По улице бегают стаи бродячих собак, кидаются на детей.",
      "Возле школы стало много бездомных собак.", "Бродячая собака укусила ребёнка.",
      "Во дворе много бездомных кошек и собак.",
      "Служба отлова безнадзорных животных не приезжает."},
     {"Packs of stray dogs roam the street and go for children.",
      "There are more and more stray dogs near the school.", "A stray dog bit a child.",
      "There are many stray cats and dogs in the yard.",
      "The stray animal control service does not come."},
     {"Иттерді аулау және стерилизациялау керек.", "Балалар мектепке баруға қорқады."},
     {"Нужно отловить и стерилизовать собак.", "Дети боятся ходить в школу."},
     {"The dogs need to be caught and sterilised.", "Children are afraid to walk to school."}},
    {"business",
     {"Кәсіпкерге тексеру жүргізіп, заңсыз айыппұл салды.",
      "Шағын бизнеске субсидия беру тоқтатылды.",
      "Дүкен ашуға рұқсат алу үшін құжаттар ұзақ қаралады.",
      "Базардағы сауда орындарының жалдау ақысы негізсіз өсті.",
      "Салық органы кәсіпкерлік қызметке кедергі келтіреді."},
     {"Предпринимателя проверили и незаконно оштрафовали.",
      "Прекратили выдачу субсидий малому бизнесу.",
      "Разрешение на открытие магазина рассматривают очень долго.",
      "Необоснованно повысили аренду торговых мест на рынке.",
      "Налоговая мешает предпринимательской деятельности."},
     {"An entrepreneur was inspected and fined unlawfully.",
      "Subsidies for small business have been stopped.",
      "The permit to open a shop is taking far too long.",
      "The rent for market stalls has been raised without reason.",
      "The tax office obstructs business activity."},
     {"Кәсіпкерлер палатасы көмектеспеді.", "Шағын кәсіпкерлікті қолдау қажет."},
     {"Палата предпринимателей не помогла.", "Малый бизнес нуждается в поддержке."},
     {"The chamber of entrepreneurs did not help.", "Small business needs support."}},
    {"corruption",
     {"Әкімдік қызметкері құжат үшін пара талап етті.",
      "Мемлекеттік сатып алуда сыбайлас жемқорлық бар.", "Шенеунік өз туысына тендер ұтып берді.",
      "Полиция қызметкері айыппұлдың орнына ақша сұрады.",
      "Бюджет қаражаты жымқырылды деп ойлаймыз."},
     {"Сотрудник акимата потребовал взятку за справку.", "В государственных закупках коррупция.",
      "Чиновник отдал тендер своему родственнику.", "Полицейский вымогал деньги вместо штрафа.",
      "Мы считаем, что бюджетные деньги похищены."},
     {"An akimat employee demanded a bribe for a certificate.",
      "There is corruption in public procurement.",
      "An official awarded the tender to his relative.",
      "A police officer extorted money instead of a fine.",
      "We believe that budget money has been embezzled."},
     {"Сыбайлас жемқорлыққа қарсы қызмет тексеруі керек.",
      "Пара алу фактісін растайтын дерек бар."},
     {"Антикоррупционная служба должна провести проверку.", "Есть факты вымогательства взятки."},
     {"The anti-corruption service should investigate.", "There is evidence of bribe extortion."}},
    {"emergency",
     {"Өзен тасып, ауыл үйлерін су басты.", "Көп қабатты үйде өрт болды, тұрғындар көшірілді.",
      "Қатты жел шатырларды жұлып әкетті.", "Тау бөктерінде сел қаупі бар.",
      "Жер сілкінісінен кейін үйдің қабырғасы жарылды."},
     {"Река вышла из берегов, дома в селе затопило.",
      "В многоэтажке был пожар, жителей эвакуировали.", "Сильный ветер сорвал крыши домов.",
      "У подножия гор угроза селя.", "После землетрясения треснула стена дома."},
     {"The river burst its banks and houses in the village were flooded.",
      "There was a fire in the tower block and residents were evacuated.",
      "A strong wind tore the roofs off houses.",
      "There is a risk of a mudflow at the foot of the mountains.",
      "After the earthquake a wall of the house cracked."},
     {"Зардап шеккендерге шұғыл көмек керек.", "Құтқарушылар әлі келген жоқ."},
     {"Пострадавшим нужна срочная помощь.", "Спасатели до сих пор не приехали."},
     {"The victims need urgent help.", "The rescuers have still not arrived."}},
    {"digital",
     {"eGov порталында анықтама алу мүмкін емес, жүйе қате береді.",
      "Электрондық цифрлық қолтаңба жұмыс істемейді.",
      "Онлайн мемлекеттік қызметке өтінім қабылданбайды.",
      "ХҚКО-да кезек үлкен, электрондық кезек істемейді.",
      "Мобильді қосымшада мемлекеттік қызмет ашылмайды."},
     {"На портале eGov невозможно получить справку, система выдаёт ошибку.",
      "Не работает электронная цифровая подпись.",
      "Не принимают заявку на государственную услугу онлайн.",
      "В ЦОНе огромная очередь, электронная очередь не работает.",
      "В мобильном приложении не открывается госуслуга."},
     {"The eGov portal will not issue a certificate and the system shows an error.",
      "The electronic digital signature does not work.",
      "The online application for a public service is rejected.",
      "The queue at the public service centre is huge and the electronic queue is down.",
      "The public service does not open in the mobile app."},
     {"Қолдау қызметі жауап бермейді.", "Онлайн қызмет бірнеше күн бойы қолжетімсіз."},
     {"Служба поддержки не отвечает.", "Онлайн-услуга недоступна несколько дней."},
     {"The support service does not answer.", "The online service has been down for days."}},
    {"agriculture",
     {"Фермерлерге егіс үшін жанармай жетіспейді.", "Мал басына вакцина егу жүргізілмеді.",
      "Егін суаруға су берілмейді.", "Ауыл шаруашылығы субсидиясы төленбеді.",
      "Мал шаруашылығына жем-шөп жетпейді."},
     {"Фермерам не хватает горючего для посевной.", "Скоту не провели вакцинацию.",
      "Не подают воду для полива посевов.", "Не выплатили сельскохозяйственную субсидию.",
      "Не хватает кормов для скота."},
     {"Farmers lack fuel for the sowing season.", "The livestock has not been vaccinated.",
      "No water is supplied to irrigate the crops.", "The agricultural subsidy has not been paid.",
      "There is not enough fodder for the livestock."},
     {"Егін шығыны көп болды.", "Шаруа қожалығы қиын жағдайда."},
     {"Урожай сильно пострадал.", "Фермерское хозяйство в тяжёлом положении."},
     {"Much of the harvest has been lost.", "The farm is in a difficult situation."}},
    {"culture-sport",
     {"Ауылдағы мәдениет үйі жабылып қалды.", "Балаларға арналған спорт секциялары тегін емес.",
      "Стадион мен спорт алаңы қараусыз қалған.", "Кітапхананы жабу туралы шешім қабылданды.",
      "Аулада балалар ойын алаңы жоқ."},
     {"В селе закрыли дом культуры.", "Спортивные секции для детей стали платными.",
      "Стадион и спортивная площадка заброшены.", "Приняли решение закрыть библиотеку.",
      "Во дворе нет детской игровой площадки."},
     {"The village house of culture has been closed.",
      "Sports clubs for children are no longer free.",
      "The stadium and sports ground are neglected.", "A decision was taken to close the library.",
      "There is no children's playground in the yard."},
     {"Жастардың бос уақыты ұйымдастырылмаған.", "Мәдени іс-шаралар өткізілмейді."},
     {"Молодёжи негде проводить досуг.", "Культурные мероприятия не проводятся."},
     {"Young people have nowhere to spend their free time.", "No cultural events are held."}},
    {"construction",
     {"Үй салу үшін құрылыс рұқсатын бермейді.", "Құрылыс компаниясы үлескерлерді алдады.",
      "Көршілер рұқсатсыз қосымша құрылыс салып жатыр.", "Жаңа үйдің құрылысы тоқтап қалды.",
      "Сәулет бөлімі жобаны келіспейді."},
     {"Не выдают разрешение на строительство дома.", "Застройщик обманул дольщиков.",
      "Соседи ведут самовольную пристройку.", "Стройка нового дома заморожена.",
      "Отдел архитектуры не согласовывает проект."},
     {"They will not issue a building permit for the house.",
      "The developer has deceived the shareholders.",
      "The neighbours are building an unauthorised extension.",
      "Construction of the new block has been frozen.",
      "The architecture department will not approve the design."},
     {"Құрылыс нормалары бұзылған.", "Сәулет және қала құрылысы бөлімі жауап бермейді."},
     {"Нарушены строительные нормы.", "Отдел архитектуры и градостроительства не отвечает."},
     {"Building regulations have been violated.",
      "The department of architecture and urban planning does not answer."}},
    {"other",
     {"Мемлекеттік органның жұмысын жақсарту бойынша ұсынысым бар.",
      "Мемлекеттік тілде ақпарат жеткіліксіз.", "Менің бұрынғы өтінішіме жауап берілмеді.",
      "Мемлекеттік мекеменің жұмыс уақыты ыңғайсыз.", "Азаматтарды қабылдау кестесі сақталмайды."},
     {"У меня есть предложение по улучшению работы госоргана.",
      "Мало информации на государственном языке.", "На моё прежнее обращение не ответили.",
      "Неудобный график работы государственного учреждения.",
      "Не соблюдается график приёма граждан."},
     {"I have a proposal to improve the work of a government body.",
      "There is too little information in the state language.",
      "My previous appeal was never answered.",
      "The opening hours of the public office are inconvenient.",
      "The schedule for receiving citizens is not kept."},
     {"Мәселені қарауды сұраймын.", "Бұл ұсынысты ескеру керек деп ойлаймын."},
     {"Прошу рассмотреть вопрос.", "Считаю, что это предложение стоит учесть."},
     {"Please consider the matter.", "I think this proposal deserves attention."}},
};

/* Phrases that carry no topic, per language: greetings, places, durations,
 * requests. Places are generic (street and district kinds, no addresses). */
static const char *const kk_open[] = {"Сәлеметсіз бе!", "Құрметті әкім!", "Қайырлы күн.", ""};
static const char *const ru_open[] = {"Здравствуйте!", "Уважаемый аким!", "Добрый день.", ""};
static const char *const en_open[] = {"Hello.", "Dear akim,", "Good afternoon.", ""};
static const char *const kk_place[] = {"Бұл біздің ауылда.", "Бұл шағын ауданымызда.",
                                       "Бұл қаланың орталығында.", "Бұл біздің көшеде.", ""};
static const char *const ru_place[] = {"Это в нашем селе.", "Это в нашем микрорайоне.",
                                       "Это в центре города.", "Это на нашей улице.", ""};
static const char *const en_place[] = {"This is in our village.", "This is in our neighbourhood.",
                                       "This is in the town centre.", "This is on our street.", ""};
static const char *const kk_time[] = {"Бұл екі апта бойы жалғасып келеді.", "Үшінші ай осылай.",
                                      "Кеше тағы қайталанды.", ""};
static const char *const ru_time[] = {"Это продолжается уже две недели.", "Так уже третий месяц.",
                                      "Вчера опять повторилось.", ""};
static const char *const en_time[] = {"This has gone on for two weeks.",
                                      "It has been like this for three months.",
                                      "It happened again yesterday.", ""};
static const char *const kk_ask[] = {"Шара қолдануыңызды сұраймын.", "Көмектесуіңізді өтінемін.",
                                     "Тексеріп, жауап беруіңізді сұраймын.", ""};
static const char *const ru_ask[] = {"Прошу принять меры.", "Помогите, пожалуйста.",
                                     "Прошу разобраться и дать ответ.", ""};
static const char *const en_ask[] = {"Please take action.", "Please help.",
                                     "Please look into it and reply.", ""};

struct frames {
    const char *const *open, *const *place, *const *time, *const *ask;
    size_t open_n, place_n, time_n, ask_n;
};

#define FRAMES(l)                                                                                  \
    {                                                                                              \
        l##_open, l##_place, l##_time, l##_ask, ARRAY_LEN(l##_open), ARRAY_LEN(l##_place),         \
            ARRAY_LEN(l##_time), ARRAY_LEN(l##_ask)                                                \
    }
static const struct frames kk_frames = FRAMES(kk), ru_frames = FRAMES(ru), en_frames = FRAMES(en);

size_t
seed_topic_count(void)
{
    return ARRAY_LEN(topics);
}

const char *
seed_topic(size_t i)
{
    return i < ARRAY_LEN(topics) ? topics[i].code : NULL;
}

static uint64_t
next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static const char *
pick(uint64_t *x, const char *const *v, size_t n)
{
    return v[next(x) % n];
}

static void
put(struct buf *b, const char *s)
{
    if (!*s)
        return;
    if (b->len)
        buf_putc(b, ' ');
    buf_puts(b, s);
}

/* One text: the problem, and each shared phrase and the detail or not. */
static struct str
compose(struct arena *a, uint64_t *x, const struct frames *f, const char *const *problem,
        const char *const *detail)
{
    struct buf b = BUF_INIT(4096);
    put(&b, pick(x, f->open, f->open_n));
    put(&b, pick(x, problem, PROBLEMS));
    if (next(x) % 2)
        put(&b, pick(x, detail, DETAILS));
    put(&b, pick(x, f->place, f->place_n));
    put(&b, pick(x, f->time, f->time_n));
    put(&b, pick(x, f->ask, f->ask_n));
    char *p = arena_strndup(a, b.p ? b.p : "", b.len);
    struct str s = {p, b.len};
    buf_fini(&b);
    return s;
}

enum err
seed_corpus(struct arena *a, uint64_t seed, size_t per, struct seed_row **rows, size_t *count)
{
    if (per == 0)
        return ERR_INVALID;
    if (per > SEED_PER_MAX)
        return ERR_TOOBIG;
    size_t n = ARRAY_LEN(topics) * 4 * per, k = 0;
    struct seed_row *v = ARENA_ARRAY(a, struct seed_row, n);
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    for (size_t t = 0; t < ARRAY_LEN(topics); t++) {
        const struct topic_text *tt = &topics[t];
        for (size_t i = 0; i < per; i++) {
            struct str kk = compose(a, &x, &kk_frames, tt->kk, tt->kk_d);
            v[k++] = (struct seed_row){kk, tt->code, "kk"};
            /* A different draw in Latin letters, so that the two scripts do
             * not just mirror each other. */
            struct str kk2 = compose(a, &x, &kk_frames, tt->kk, tt->kk_d), lat;
            enum err e = translit_to_latin(a, kk2, &lat);
            if (e)
                return e;
            v[k++] = (struct seed_row){lat, tt->code, "kk-latn"};
            v[k++] =
                (struct seed_row){compose(a, &x, &ru_frames, tt->ru, tt->ru_d), tt->code, "ru"};
            v[k++] =
                (struct seed_row){compose(a, &x, &en_frames, tt->en, tt->en_d), tt->code, "en"};
        }
    }
    *rows = v;
    *count = k;
    return ERR_OK;
}

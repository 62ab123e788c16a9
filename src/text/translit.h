/*
 * translit.h - Kazakh between Cyrillic and the Latin alphabet of 2021, and
 * a canonical fold under which one word matches itself in either script.
 * Exports translit_to_latin(), translit_to_cyrillic(), translit_fold() and
 * translit_is_round_trip_word(). Pure and thread-safe.
 *
 * The 2021 alphabet (Government of Kazakhstan, 28 January 2021) has 31
 * letters: A Ä B D E F G Ğ H I İ J K L M N Ñ O Ö P Q R S Ş T U Ū Ü V Y Z.
 * The letter pairs with Cyrillic are
 *   а a  ә ä  б b  в v  г g  ғ ğ  д d  е e  ж j  з z  и i (İ)  й i (İ)
 *   і ı (I)  к k  қ q  л l  м m  н n  ң ñ  о o  ө ö  п p  р r  с s  т t
 *   у u  ұ ū  ү ü  ф f  х h  һ h  ш ş  ы y
 * and the letters Russian words bring: ё io, ц ts, ч ş, щ şş, ъ and ь not
 * written, э e, ю iu, я ia. Note the dotless pair: Cyrillic І і is Latin
 * I ı, and Cyrillic И и / Й й is Latin İ i.
 */
#ifndef TEXT_TRANSLIT_H
#define TEXT_TRANSLIT_H

#include <stdbool.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

/*
 * Kazakh Cyrillic in s to the 2021 Latin alphabet, case kept ("Қазақстан"
 * -> "Qazaqstan", "ҚАЗАҚ" -> "QAZAQ", "Ёлка" -> "Iolka", "ЁЛКА" -> "IOLKA").
 * Everything that is not Cyrillic is copied. *out lives in a, NUL-terminated.
 * ERR_INVALID if s is not valid UTF-8, ERR_TOOBIG past NORMALISE_MAX.
 */
enum err translit_to_latin(struct arena *a, struct str s, struct str *out);

/*
 * Kazakh in the 2021 Latin alphabet to Cyrillic, case kept. Where one Latin
 * letter stands for two Cyrillic ones the more common reading wins: i is й
 * after a vowel and и elsewhere ("qairat" -> "қайрат", "bilim" -> "билим" but
 * "bılım" -> "білім"), h is х (not һ). Also read: the 2018 acute letters
 * (á ǵ ń ó ú ý), ŋ for ñ, ç for ч, and the Latin schwa ə for ä. Other Latin
 * letters (c w x) become ц у х; everything else is copied. Meant for text
 * that language_detect() called Kazakh: English through it is nonsense.
 * Errors as translit_to_latin().
 */
enum err translit_to_cyrillic(struct arena *a, struct str s, struct str *out);

/*
 * The matching key of s: normalise_text() (NFC, case folding, white space),
 * then in a word that mixes Cyrillic and Latin letters, Latin look-alikes read
 * as Cyrillic ("Aкимат" with a Latin A); then Cyrillic to the 2021 Latin
 * letters, and every spelling that the two scripts (and careless typing)
 * confuse made one: ı and i (і, и, й), ё as е, х and һ as h, ч and ш as ş,
 * the 2018 acute letters and ə as their 2021 forms, the digraphs sh, ch -> ş
 * and zh -> j, combining marks (stress accents) dropped. So "Қазақстан",
 * "QAZAQSTAN", "Qazaqstan" and "қaзaқстaн" (Latin a) all fold to
 * "qazaqstan", and "Білім" and "bilim" to "bilim"; every text without ё
 * folds as its translit_to_latin() does. Not reversible: a key, never
 * shown. Errors as normalise_text().
 */
enum err translit_fold(struct arena *a, struct str s, struct str *out);

/*
 * True if w is a word on which Cyrillic -> Latin -> Cyrillic gives w back:
 * letters of the Kazakh Cyrillic alphabet except those the Latin side merges
 * (һ, and ё ц ч щ ъ ь э ю я), with й only right after a vowel and и never
 * right after a vowel or й. The fuzz target and the tests draw their words from this
 * set.
 */
bool translit_is_round_trip_word(struct str w);

#endif

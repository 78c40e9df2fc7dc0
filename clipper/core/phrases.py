"""The phrase lists that say a line, heading or paragraph is a web page's chrome (navigation,
share/subscribe/cookie prompts, "related" lists, comment sections, credits, legal notices)
rather than its article: one table, each list with the code that uses it named. The wording
several lists share is written once (the fragments below). Most phrases are English; other
languages are left to the features that need no words (lengths, links, positions), except the
few words of a site's header, footer and skip links (``_CHROME_I18N``).

Every list here is a feature of the extraction: changing one changes the extraction figures
(run ``extraction_eval.py`` and ``snippet_eval.py``).
"""

from __future__ import annotations

import re

from clipper.core.lazyimport import lazy_compile

# --- wording shared by several lists --------------------------------------------------------

_COMMENT_PROMPT = (r"leave a (?:comment|reply)|post a comment|"
                   # the same prompt of a comment form in other languages (CMS themes' wording)
                   r"schreibe (?:einen kommentar|eine antwort)|hinterlasse (?:einen kommentar|eine antwort)|"
                   r"kommentar (?:hinzufügen|schreiben|verfassen)|laisser (?:un commentaire|une réponse)|"
                   r"deja (?:una respuesta|un comentario)|dejar un comentario|"
                   r"lascia (?:un commento|una risposta)|"
                   r"deixe (?:um comentário|uma resposta)|geef een reactie|laat een reactie achter|"
                   r"lämna (?:ett svar|en kommentar)|(?:dodaj|zostaw) komentarz|"
                   r"(?:добавить|оставить|оставьте) комментарий")
_ALSO_LIKE = r"you (?:may|might) also like"
_RELATED_WHAT = r" articles| stories| posts| content"  # "related …"
_TRENDING = r"trending(?: now| stories)?"
_MOST_READ = r"most (?:popular|read|viewed|shared)"
_CONSENT_WORDS = (r"consent|opt[- ]out|third[- ]party|browsing experience|privacy (?:policy|settings)|"
                  r"personal data|advertising partners")  # and "cookie(s)"
_LEGAL_WORDS = r"\(c\)|copyright|rights reserved|evaluated|information"  # words of LEGAL's notices

#: The same chrome in the other languages most sites are written in (German, French, Spanish,
#: Italian, Portuguese, Dutch, the Nordic languages, Polish, Czech, Russian, Turkish): the
#: translations CMS themes ship for "skip to content", the footer's legal links, and the
#: one-word links of a site's header and share bar. Whole lines only (with BOILERPLATE).
_CHROME_I18N = (
    # skip links ("Zum Inhalt springen", "Aller au contenu", "Saltar al contenido" …)
    r"(?:direkt )?zu(?:m|r) (?:inhalt|hauptinhalt|navigation|suche|kommentarformular|footer)"
    r"(?: springen| wechseln)?|springe zu(?:m|r) .{3,20}|"
    r"(?:aller|passer) (?:au|à la) (?:contenu(?: principal)?|navigation|recherche)|"
    r"(?:saltar|ir|pasar) al? (?:contenido(?: principal)?|navegación)|"
    r"(?:passa|vai|salta) al (?:contenuto(?: principale)?)|"
    r"(?:pular|ir|saltar) para o conteúdo(?: principal)?|"
    r"(?:naar|ga naar) (?:de )?(?:inhoud|hoofdinhoud)(?: springen| gaan)?|"
    r"(?:hoppa|gå|hopp|spring) til(?:l)? (?:innehåll(?:et)?|innhold(?:et)?|indhold(?:et)?)|"
    r"przejdź do (?:treści|zawartości)|přejít (?:k|na) obsah(?:u)?|"
    r"перейти к (?:содержимому|содержанию|основному содержанию)|içeriğe (?:geç|atla)|"
    # the footer's legal links
    r"impressum|datenschutz(?:erklärung|hinweise| ?einstellungen)?|agb|nutzungsbedingungen|"
    r"mentions légales|politique de confidentialité|cgu|cgv|"
    r"aviso legal|política de (?:privacidad|cookies)|"
    r"note legali|informativa (?:sulla )?privacy|"
    r"política de privacidade|termos de uso|"
    r"colofon|privacyverklaring|algemene voorwaarden|"
    r"integritetspolicy|personuppgiftspolicy|personvern(?:erklæring)?|privatlivspolitik|"
    r"polityka prywatności|regulamin|ochrana (?:osobních )?údajů|"
    r"политика конфиденциальности|пользовательское соглашение|"
    r"gizlilik politikası|kullanım koşulları|künye|"
    # header and share-bar links
    r"kontakt(?:formular)?|startseite|suche|suchen|anmelden|abmelden|registrieren|drucken|teilen|"
    r"newsletter abonnieren|menü|"
    r"accueil|rechercher|recherche|connexion|se connecter|s'inscrire|partager|imprimer|"
    r"inicio|buscar|búsqueda|iniciar sesión|registrarse|compartir|imprimir|"
    r"cerca|accedi|registrati|condividi|stampa|"
    r"pesquisar|entrar|compartilhar|partilhar|"
    r"zoeken|inloggen|delen|afdrukken|"
    r"sök|logga in|dela|skriv ut|søg|log ind|del|søk|logg inn|"
    r"szukaj|zaloguj(?: się)?|udostępnij|drukuj|hledat|přihlásit(?: se)?|sdílet|tisk|"
    r"главная|поиск|войти|регистрация|поделиться|печать|"
    r"ana sayfa|giriş yap|paylaş|yazdır|"
    # the fine print of a comment form ("Your email address will not be published.", "Notify me
    # of follow-up comments by email.", "This site uses Akismet to reduce spam.")
    r"(?=.{0,240}$).*\bakismet\b.*|"
    r"(?:notify me|benachrichtige mich|prévenez-moi|avertissez-moi|avvisami|notifique-me|notificarme|"
    r"recibir un (?:e-?mail|correo)|stuur mij|meld mij|informiere mich)\b(?=.*\b(?:e-?mail|correo)).{0,120}|"
    r"(?:your|deine|ihre|votre|tu|su|il tuo|o seu|je|uw) "
    r"(?:e-?mail(?:-adresse)?|adresse (?:e-?mail|de messagerie)|"
    r"dirección de correo(?: electrónico)?|indirizzo (?:e-?mail|di posta)|endereço de e-?mail|e-?mailadres)"
    r"(?: address)? (?:will not be published|wird nicht veröffentlicht|ne sera pas publiée|"
    r"no (?:será|se) publicad[ao]|non sarà pubblicato|não será publicado|wordt niet gepubliceerd)\b.{0,120}|"
    r"(?:save my name|meinen namen|enregistrer mon nom|guardar mi nombre|salva il mio nome|"
    r"salvar (?:meus dados|o meu nome)|mijn naam)\b(?=.*\b(?:browser|navigateur|navegador)\b).{0,160}"
)

# --- whole lines of text copied from a page -------------------------------------------------

#: A whole line that is site chrome. Used by the pasted-text model (``textmodel``: a block's
#: ``phrase`` feature, ``Line.boiler``) and by ``textclean.heading_like`` (never a title).
BOILERPLATE = lazy_compile(
    r"^(?:"
    r"advertisement|advertise(?:ment)?s?|sponsored(?: content| stories)?|ad choices|"
    r"skip to (?:main )?(?:content|navigation|site index|search)|continue reading(?: the main story)?|"
    r"share(?: this)?(?: (?:article|story|post|page))?(?: on \w+)?|sharing is caring!?|shares?|"
    r"tweet|pin(?: it)?|e-?mail|print|save|copy link|link copied|"
    r"(?:\d+\s+)?comments?|reply|" + _COMMENT_PROMPT + r"|view comments|"
    r"subscribe(?: now| today)?|sign (?:in|up|out)|log ?(?:in|out)|register|my account|"
    r"read (?:more|full (?:article|story)|next)(?: .{0,60})?|"
    r"related(?:" + _RELATED_WHAT + r"| coverage| news| topics)?:?|"
    r"more (?:from|on|stories|news|articles)\b.{0,60}|recommended(?: for you| stories)?|"
    + _TRENDING + r"|" + _MOST_READ + r"|popular (?:posts|stories)|"
    + _ALSO_LIKE + r"|(?:also|don'?t miss|see also)[: ].{0,60}|"
    r"follow us(?: on .{0,40})?|newsletters?|sign up for .{0,80}|get the .{0,40}newsletter.*|"
    r"(?:we use )?cookies?\b.{0,200}|accept(?: all)?(?: cookies)?|manage (?:cookies|preferences)|"
    r"privacy(?: policy| notice)?|terms(?: of (?:use|service|sale))?|cookie policy|"
    r"(?:copyright|©|\(c\)).{0,150}|all rights reserved.{0,80}|"
    r"back to top.{0,4}|scroll to top|toggle navigation|close(?: navigation| menu)?|menu|search|home|"
    r"previous(?: post| article)?|next(?: post| article)?|previous next|"
    r"image \d+ of \d+|\d+ of \d+|loading\.*|video|watch|listen|play|"
    r"facebook|twitter|linkedin|pinterest|reddit|whatsapp|instagram|youtube|flipboard|mix|rss(?: feed)?|"
    + _CHROME_I18N +
    r")[.:]?$",
    re.I,
)

#: The heading of a box of other stories ("Related articles", "More from Science:"). Used by
#: ``textmodel`` (a block's ``section`` feature).
SECTION_BREAK = lazy_compile(
    r"^(?:(?i:related(?:" + _RELATED_WHAT + r"| coverage| news| reading| links)?|"
    r"more (?:from|on|in|stories|news|articles|to (?:read|explore))\b.{0,50}|"
    r"recommended(?: for you| stories| reading)?|you (?:may|might) also (?:like|enjoy)|"
    + _MOST_READ + r"(?: stories| articles)?|" + _TRENDING + r"|"
    r"popular (?:posts|stories|articles)|latest (?:news|stories|headlines|posts)|"
    r"(?:also )?read (?:more|next)|what to read next|don'?t miss|editor'?s picks|top stories|"
    r"from (?:around|across) the web|sponsored (?:content|stories|links)|promoted stories|"
    r"previous (?:post|article)|next (?:post|article))|(?i:more) [A-Z][\w.&' ]{2,40})\s*:?$")

#: The start of a comment section: everything from here on is readers', not the article's.
#: Used by ``textmodel`` (a feature, and where an article ends) and ``plaintext.looks_like_page``.
COMMENTS_START = lazy_compile(
    r"^(?:\[?\s*[1-9]\d*\s+(?:comments?|responses?|replies|reactions)\b.{0,80}|"
    r"(?:top rated |reader |latest |show |view |read )?comments?(?:\s*\(\d+\))?:?|"
    + _COMMENT_PROMPT + r"|join the (?:discussion|conversation)|"
    r"add (?:a|your) comment|what do you think\??|discussion|conversation)\]?$", re.I)

#: A comment's own header or buttons ("Jane says:", "Reply", "3 likes"). Used by ``textmodel``.
COMMENT_META = lazy_compile(r"^(?:\S.{0,40}\s(?:says|said|wrote):|reply|report|like|"
                          r"(?:rating|votes?|likes?):?\s*\d+.{0,10}|\d+\s+(?:likes?|votes?))$", re.I)

#: A picture's caption or credit line. Used by ``textmodel`` (features) and ``plaintext``.
CAPTION = lazy_compile(
    r"^(?:credit\b|image\s*(?:credit|source|:)|photo(?:graph)?\s*(?:by|credit|:)|"
    r"\(?(?:photo|image|picture|video)\s*:|above:|source:\s|getty images|file photo|"
    r".{0,60}/(?:getty images|ap|reuters|afp|shutterstock)\)?$|"
    r"in this .{0,60}\b(?:file )?photo\b)", re.I)

#: A picture's credit at the end of its caption ("… in Nogales. (AP)", "… pictured. Credit: ESA",
#: "… (Image: GETTY)", "… © AFP / Name", "… Foto: Name"), searched in the line's last characters
#: (``CREDIT_END_CHARS``): the caption is not the article's text. The few words for a picture
#: and its credit in the languages pasted most. Used by ``plaintext``.
CREDIT_END = lazy_compile(
    r"(?:^|[\s(\[])(?:(?:photo|foto|фото|image|imagen|imagem|immagine|bild|picture|credit|crédit|"
    r"zdj[eę]cie|quelle|source|fuente|fonte)s?\s*(?:credit\s*)?:\s*[^.!?]{1,60}|"
    r"©\s*[^.!?]{1,60}|[|/]\s*(?:getty images|shutterstock|istock(?:photo)?|reuters|afp|ap|dpa|epa)|"
    r"\(\s*(?:(?-i:AP|AFP|EPA|DPA|dpa|EFE|ANSA|REUTERS|Reuters|GETTY|Getty)|symbolbild|archiv(?:bild)?)\b"
    r"[^()]{0,50}\))"
    r"[)\]]?\s*$", re.I)
CREDIT_END_CHARS = 90

#: A copyright or legal notice (searched). Used by ``textmodel.legal``, after the quick tests
#: LEGAL_LOW (on the lower-cased text, when it is ASCII) and LEGAL_HINT (otherwise).
LEGAL = lazy_compile(r"^(?:©|\(c\)|copyright\b)|all rights reserved|not been evaluated by the food|"
                   r"^(?:the )?information (?:provided )?on this (?:web)?site|"
                   r"\b(?:19|20)\d\d\s*©|©\s*(?:19|20)\d\d",
                   re.I)
LEGAL_LOW = lazy_compile(_LEGAL_WORDS)
LEGAL_HINT = lazy_compile(r"(?i)©|" + _LEGAL_WORDS)

#: The words of a cookie or consent prompt (two in one line make one). Used by
#: ``textmodel.consent``, after the quick tests CONSENT_LOW (on the lower-cased text, when it is
#: ASCII) and CONSENT_HINT (otherwise).
CONSENT = lazy_compile(r"\b(?:cookies?|" + _CONSENT_WORDS + r")\b", re.I)
CONSENT_LOW = lazy_compile(r"cookie|" + _CONSENT_WORDS)
CONSENT_HINT = lazy_compile(r"(?i)cookie|consent|opt|third|browsing|privacy|personal|advertising")

#: What a line that only says when the story was published starts with ("Updated on: …").
#: Used by ``plaintext`` (a dateline, with a date in it).
DATE_STAMP = lazy_compile(r"^(?:(?:last )?(?:updated|published|posted|modified|created)(?: on)?:?\s|"
                        r"(?:publiziert|veröffentlicht|aktualisiert)(?: am)?:?\s)", re.I)

#: What a heading-like line that is not the article's title holds. Used by
#: ``textclean.heading_like``.
NOT_TITLE = lazy_compile(
    r"(?i:^(?:share|image|photo|picture|video|credit|source|filed under|tags?|topics?|home\b|"
    r"updated|posted|published|by\s|von\s|\*|chevron|browse|about this|terms? of|"
    r"something went wrong)|sharing options|external links|get short url|open in a new window|"
    r"all rights reserved|^\d{1,2}:\d\d|/[A-Z]{2,}$|getty images)")

# --- the end of an article in a saved page ---------------------------------------------------

#: A heading or short paragraph at the end of an article that announces what is not the
#: article (matched whole, on the text with its white space folded). Used by
#: ``extract._trim_tail``.
TAIL_HEADING = lazy_compile(
    r"^(?:comments?|\d+ comments?|" + _COMMENT_PROMPT + r"|join the discussion|discussion|"
    r"tell us what you think.*|what do you think.*|share(?: this(?: article| story| post)?)?:?|"
    r"related(?:" + _RELATED_WHAT + r")?|" + _ALSO_LIKE + r"|more (?:stories|from [\w .]+)|"
    r"recommended(?: for you)?|read (?:more|next)|advertisement|sponsored(?: content)?|tags?:?)$", re.I)

#: A call to action in a short paragraph at the end of an article (searched). Used by
#: ``extract._trim_tail``.
TAIL_PROMPT = lazy_compile(r"\b(?:share (?:it|this)|like this (?:story|article)|subscribe|sign up|follow us"
                         r"|newsletter|click here|read more|comments? (?:are|is) closed)\b", re.I)

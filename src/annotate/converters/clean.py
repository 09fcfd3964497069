"""Raw scraped article -> clean text plus title / published / source.

Cleaning only removes whole boilerplate lines, normalises line endings and zero-width
characters, decodes HTML character references ("&quot;", "&#8220;") that scrapers leave, and
closes up the blank runs that removed lines leave; it never rewrites the words, spaces or quote
marks that stay, so an article without boilerplate comes out as it went in.
"""

from __future__ import annotations

import html
import re

from .lexicon import pattern
from .text import sentences

# A tail that is no clause of a sentence: no ", " before a lower-case word ("Posted by riverrat on 3 March
# 2024, 10:02" is a page's; "Posted by a friend on Facebook, the video was shared ..." is the article's).
_NO_CLAUSE = r"(?:(?!,\ (?-i:[a-z]))[^!?])"
# What a pitch to subscribe or sign up names after its "to" or "for": the site's newsletter, podcast or
# access, a price, a name ("Subscribe to The Morning Brief"); "Subscribe to the view that ..." and
# "Sign up sheets were posted ..." are sentences of the article.
_PITCH = (r"(?=.{0,100}?(?:\b(?:our|newsletters?|podcasts?|channel|briefing|digest|updates|alerts|feed|edition"
          r"|continue|reading|access|today|now|here|free|e-?mails?|inbox)\b|\ (?-i:[A-Z])|[$£€\d]))")
_SHARE_TARGETS = ("facebook|twitter|x|whatsapp|linkedin|reddit|pinterest|telegram|messenger|e-?mail|bluesky"
                  "|threads|flipboard|sms|mail")

# Lines that are boilerplate wherever they stand (matched against the stripped line). A loose tail after
# a common word ("Subscribe", "Sign up", "Copyright", "Read more", "Posted by") is bounded and asks for
# the page's own words after it: an article's sentence can open with the same word.
_DROP_LINE = re.compile(
    r"""^(?:
        skip\ to\ (?:(?:the\ )?main\ )?(?:content|navigation|search|footer|menu)
      | our\ standards\s*:.{0,80}
      | (?:follow|like)\ us\ on\ (?:""" + _SHARE_TARGETS + r"""|instagram|tiktok|youtube|snapchat|mastodon|social\ media
                                  |google\ news)\b.{0,100}
      | (?:share|tweet|e-?mail|print)(?:\ this(?:\ (?:article|story|page|post|link|video|gallery))?(?:\ (?:on|via|with)\b.{0,60})?
                                    |\ (?:on|via|to|by)\ (?:""" + _SHARE_TARGETS + r""")\b.{0,80})?[.:!]?
      | share\ (?:this\ )?(?:article|story|page)(?:\ (?:on|via|with)\b.{0,60})?[.:!]?
      | (?:image|photo|picture|video)\ (?:source|credit|courtesy)\s*:.*
      | (?:photo(?:graph)?|image|picture|file\ photo|illustration|graphic)\s*:.*
      | \((?:photo|image|file\ photo|video)(?:\ credit)?\s*:\s*[^()]{1,80}\)
      | advertisement | sponsored(?:\ content)? | ad
      | (?:\d+\ )?min(?:ute)?s?\ read | \d+\ min
      # a pitch to subscribe or sign up: alone, or with the page's words after it (see _PITCH)
      | subscribe(?:(?:\ (?:now|today|here|free))*[.!]?
                  |(?:\ now|\ today)?(?:\ (?:to|for|and|at|on|via|in)\ |\s*[:|»›>-]\s*)""" + _PITCH + r""".{1,100})
      | sign[\ -]?up(?:(?:\ (?:now|today|here|free))*[.!]?
                     |(?:\ now|\ today)?(?:\ (?:to|for|and|at|on|via|with|below)\ |\s*[:|»›>-]\s*)""" + _PITCH + r""".{1,100})
      | newsletters?(?:\ (?:sign[\ -]?up|signup|archive|preferences|settings))?[.!:]?
      | newsletters?\s*:\s.{1,200} | enter\ your\ e-?mail(?:\ address)?\W{0,3}
      | (?:read|see)\ (?:more|also)(?:\ (?:here|stories|news|articles?|commentary|coverage|analysis|opinion
                                           |on\ this\ (?:story|topic)))?(?:\s*[:»›>|…-]+\s*.{0,100}|\.{1,3})?
      | click\ here(?:\ (?:to|for|and)\b.{0,90}|\s*[:»›>]\s*.{0,90})?[.!]?
      | tags? | topics? | related(?:\ (?:articles?|stories|news|coverage|topics))?
      | edited\ by\ .{1,80}?\ at\ \d.{0,38}
      # "Posted by riverrat", "Last edited by admin on 2024-01-02", "Updated on 3 March 2025, 10:02"
      | (?:last\ )?(?:edited|updated|posted)\ (?:by\ [^\s,;:]+(?:\ [^\s,;:]+){0,3}?(?:\ (?:on|at|in|-|·|\|)\ """ + _NO_CLAUSE + r"""{1,50})?
                                               |(?:on|at)\ (?=[\d(]|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec
                                                                    |mon|tue|wed|thu|fri|sat|sun|today|yesterday))""" + _NO_CLAUSE + r"""{1,60})
      | \(?with\ inputs\ from\ """ + _NO_CLAUSE + r"""{1,60}(?<!(?-i:[a-z][a-z])\.)
      # a wire story's credits name people: "Reporting by Marta Kivi; Editing by Ed Osmond"
      | (?:additional\ )?reporting\ by\ (?-i:[A-Z])""" + _NO_CLAUSE + r"""{0,120}
      # an editor's or a correction's note about the story itself, and its update notice
      | editor['’]s\ note\s*:\s.{1,400}
      | (?:correction|clarification)s?\s*:\s+(?:an?\ |the\ )?(?:earlier|previous|original|prior)\ version\b.{1,400}
      | this\ (?:story|article|report|post|page)\ (?:has\ been|was|is\ being|will\ be|may\ be)\ updated\b[^!?]{0,120}
      | this\ is\ a\ (?:developing|breaking)\ (?:news\ )?story\b[^!?]{0,120}
      | (?:additional\ )?(?:writing|editing)\ by\ (?-i:[A-Z])""" + _NO_CLAUSE + r"""{0,120}
      | all\ rights\ reserved(?:[.;]\s*.{0,200}|\ (?:by|to)\ (?-i:[A-Z]).{0,80}|\s*©.{0,100})? | ©.*
      # "Copyright 2026 Example Media. All rights reserved. ...", "Copyright © The Daily Courier",
      # "Copyright The Daily Courier"; "Copyright holders said ..." is the article's
      | copyright(?:\.?|\s*(?:©|\(c\)|(?:19|20)\d\d\b).{0,300}
                  |\ (?-i:[A-Z])[\w&'’.-]*(?:\ (?:(?-i:[A-Z])[\w&'’.-]*|of|and|&|the)){0,5}(?:\.?\ all\ rights\ reserved)?\.?)
      | [|•·\-–—*_=#]+
      | (?:previous|next)\ (?:article|post|story)
      | comments?(?:\ \(\d+\))?
      | listen\ to\ (?:this\ )?(?:article|story)\b.{0,40}
      | acquire\ licensing\ rights\b.{0,40}
      | reuse\ this\ content
      # a blog's post furniture: its categories and tags, its comment form
      | (?:filed|posted|published)\ (?:under|in)\s*:\s.{1,150} | tagged(?:\ (?:with|in|as))?\s*:\s.{1,200}
      | tags?\s*:\s.{1,200} | categor(?:y|ies)\s*:\s.{1,150}
      | (?:leave|add|post)\ a\ (?:comment|reply)\ cancel\ reply
      | your\ email\ address\ will\ not\ be\ published\.(?:\ required\ fields\ are\ marked\b.{0,10})?
      | required\ fields\ are\ marked\b.{0,10}
      | this\ is\ a\ rush\ transcript\b.{0,120}
      # a picture agency's name alone on the line of a removed picture
      | getty\ images | (?:afp|ap)\ via\ getty\ images | shutterstock | alamy(?:\ stock\ photo)? | epa(?:-efe)?
      # a press release's contact line (with a phone number or an e-mail address)
      | (?:media\ |press\ )?contacts?\s*:\s(?=.{0,150}?(?:@|\d{3})).{1,150}
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

# One more such line, apart: "Our privacy policy, opens new tab". Its lazy run is tried at every length
# up to 80 on every line, so it is asked only of a line that ends as it must ("tab", "window": b or w).
_OPENS_NEW = re.compile(r"^.{1,80}?,\ opens\ new\ (?:tab|window)$", re.IGNORECASE)
_OPENS_NEW_ENDS = ("b", "B", "w", "W")  # what else `$` may follow: a final line break

# Short lines of site chrome (navigation, page controls, consent buttons, teasers, credits, forum
# panels), alone on their line; only lines under SHORT_CHROME characters are tried.
SHORT_CHROME = 200
_SHORT_CHROME = re.compile(
    r"""^(?:
        (?:main\ |open\ |close\ )?menu | close | search(?:\ (?:this\ site|the\ site|news))? | home(?:page)?
      | toggle\ navigation | navigation | back\ to\ top | (?:log|sign)\ ?(?:in|out|up)
      | (?:log|sign)\ ?in\ (?:or|/|and)\ (?:register|sign\ ?up|subscribe) | register | my\ account
      | (?:continue|keep)\ reading(?:\ (?:below|the\ (?:main\ )?(?:story|article)))?
      | (?:the\ )?(?:story|article)\ continues(?:\ (?:below|after)\b.{0,40})?
      | scroll\ (?:down\ )?to\ continue\b.{0,40}
      | (?:log|sign)\ ?in\ to\ (?:comment|reply|continue|read)\b.{0,40}
      | (?:view|show|hide|load|read)\ (?:all\ |more\ )?comments?(?:\ \(\d+\))?
      | (?:leave|add|post)\ a\ (?:comment|reply) | join\ the\ (?:conversation|discussion)
      | trending(?:\ (?:now|stories|today))?
      | most\ (?:read|popular|viewed)(?:\ (?:stories|articles|now|today)|\ in\ [\w&' -]{1,30})?
      | related\s*:\s.{1,120}(?<![.!"”])
      # kickers above a headline, live-blog controls, forum and comment widgets
      | breaking(?:\ news)? | exclusive | for\ immediate\ release | (?:show\ )?key\ events(?:\ only)?
      | the\ long\ read | live\ updates | click\ to\ (?:expand|enlarge)\.{0,3}\W{0,2} | like\ this:?
      | like\ loading\.{0,3}\W{0,2} | media\ contacts?:?
      # "Started by oldtimer42, 14 January 2025"; "Started by volunteers in 1990, the charity ..." is text
      | started\ by\ \S+(?:,|\ on|\ -)?\ (?=[\d(]|(?:yesterday|today|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec
                                                  |mon|tue|wed|thu|fri|sat|sun))""" + _NO_CLAUSE + r"""{0,60}
      | (?:got|have\ you\ got|do\ you\ have)\ a\ (?:story|news\ tip)(?:[^?]{0,40}\?.{0,120}|[?!.]?)
      | (?:watch|video|listen|gallery|photos|in\ pictures)\s*:\s.{1,120}(?<![.!?"”’])
      | (?:e-?mail|contact)(?:\ (?:the\ )?(?:author|reporter|writer|us|me))?\s*:?\s*\S+@\S+\.\w+
      # consent banners' buttons and headings
      | (?:i\ )?(?:accept|agree)(?:\ (?:all|cookies|and\ close|&\ close))? | (?:i\ )?disagree | reject(?:\ all)?
      | decline(?:\ all)? | got\ it | ok(?:ay)? | allow\ (?:all|cookies|selection)
      | (?:manage|more|show)\ (?:options|settings|preferences|purposes|vendors|partners)
      | (?:cookie|privacy|consent)\ (?:settings|preferences|choices|options) | (?:your\ )?privacy\ choices
      | do\ not\ sell(?:\ or\ share)?\ my\ personal\ information
      # paywalls
      | already\ a\ (?:subscriber|member)(?:\s*\?.{0,60}|[.!]|\ (?:log|sign)\ ?in\b.{0,40})?
      | to\ (?:continue|keep)\ reading(?:\ this\ (?:article|story))?
        (?:[,:.!]\s*(?=.{0,80}?(?:\b(?:subscribe|subscription|log|sign|register|create|account|subscriber|member|access
                                      |free|trial|app|our|here|click|tap|unlock|join)\b|[$£€\d])).{0,80}
          |\ (?:please|subscribe|log|sign|register|create)\b.{0,80})?
      | this\ (?:article|story|content)\ is\ (?:only\ )?(?:available\ )?(?:for|to)\ (?:subscribers|members)
        (?:[.!]|\ only[.!]?|,?\ (?:please\ )?(?:subscribe|log|sign|register)\b.{0,60})?
      | (?:unlock|get)\ (?:this\ (?:article|story)|unlimited\ (?:access|digital\ access))\b.{0,80}
      | create\ a\ (?:free\ )?account(?:\ (?:to|and)\ (?:read|continue|keep|get|access|unlock|start|comment|save|join|enjoy)\b.{0,60}
                                      |\ (?:now|today|here))?[.!]?
      # forum chrome: post headers and member panels
      | (?:originally\ )?posted\ by\ [^\s,;:]+(?:\ [^\s,;:]+){0,3}?(?:\ (?:on|at|in|-|»|·|\|)\ """ + _NO_CLAUSE + r"""{1,60})?
      | quote\ from(?::\ .{1,100}|\ \S+\ on\ .{1,60}) | \#\d{1,6}
      | (?:reply|post)\ \#\d+\b.{0,80} | thread\ starter\b.{0,60} | (?:quick\ )?reply(?:\ with\ quote)?
      | report(?:\ (?:post|abuse|this\ (?:post|comment)))? | multi-?quote | permalink
      | (?:joined|posts|messages|reputation|likes(?:\ received)?|reaction\ score|points)\s*:\s*[\w ,./-]{1,30}
      | (?:photo(?:graph)?|image|illustration|video)s?\ (?:by|courtesy\ of)\ (?-i:[A-Z@])""" + _NO_CLAUSE + r"""{0,100}
        (?<!(?-i:[a-z][a-z])\.)  # a name, not a sentence ("Photos by Reuters showed the car ablaze.")
      # a caption's or credit's label with a comma ("Image source, Getty Images", "Media caption, ..."),
      # a lone date label above the date ("Published"), a page's save button, a story's link list
      | (?:image|media|video|photo)\ (?:source|caption|copyright|credit),\ .{1,160}
      | (?:first\ |last\ )?(?:published|updated|posted|modified):? | save(?:\ (?:article|story|for\ later))?
      | more\ (?:on\ this\ (?:story|topic)|stories|from\ (?:the\ )?(?-i:[A-Z])[\w&'’ -]{0,30}?)
      | forums? | (?:message\ )?boards? | community(?:\ forums?)? | discussions? | (?:all\ )?threads
      # a page's or a thread's pager: "Page 1 of 3 Next »", "« Previous", "Next page ›"
      | page\ \d+\ of\ \d+(?:\s*(?:[«‹<]\s*)?(?:next|prev(?:ious)?|first|last)(?:\s*[»›>])?)*
      | (?:next|prev(?:ious)?|older|newer)(?:\ (?:page|posts?|entries))?\s*[»›>]+
      | [«‹<]+\s*(?:next|prev(?:ious)?|older|newer)(?:\ (?:page|posts?|entries))?
      # gift links, an archive's age warning, a newsletter's pitch
      | gift\ (?:this\ )?(?:article|story|link)(?:\ (?:to|with)\ .{1,40})?[.!]?
      | this\ (?:article|story|page)\ is\ (?:more\ than|over)\ (?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten)
        \ (?:years?|months?|weeks?|days?)\ old
      | get\ (?:the\ )?(?:latest|best|top|biggest)\b.{1,60}?\ (?:delivered\ )?(?:straight\ )?(?:to|in)\ your\ inbox
        (?:\ (?:every|each)\ (?:morning|day|weekday|week|evening)|\ daily|\ weekly)?[.!]?
      # a sign-up form's small print: "By signing up, you agree to our Terms of Use and Privacy Policy."
      | by\ (?:signing\ up|subscribing|clicking|registering|continuing|creating\ an\ account|submitting
              |entering\ your\ e-?mail(?:\ address)?|using\ (?:this|our)\ (?:site|website|service))\b
        .{0,120}?\byou\ (?:agree|acknowledge|consent|accept|confirm)\b.{0,150}
      # a forum's sort control and reply depth: "Sort by: best", "level 1"
      | sort\ by\s*:?\s*(?:best|top|new|newest|old|oldest|controversial|q&a|hot|rising|relevance|date|latest|popular
                          |most\ \w+)
      | level\ \d{1,2}
      # a newsletter's head and foot
      | (?:you\ are|you're|you’re|you\ have|you've|you’ve|you)\ (?:receiving|received|been\ sent|got)\ this
        \ (?:e-?mail|newsletter|message)\b.{0,160}
      | forwarded\ this\ (?:e-?mail|newsletter|message)\b.{0,80}
      | was\ this\ (?:e-?mail\ |newsletter\ |message\ )?forwarded\ to\ you\b.{0,80}
      | unsubscribe(?:\ (?:here|now|from\ """ + _NO_CLAUSE + r"""{1,60}))?[.!]?
      | (?:manage|update|change|edit)\ (?:your\ )?(?:e-?mail\ |newsletter\ |subscription\ |communication\ )?
        (?:preferences|subscriptions?|settings)
      | view\ (?:(?:this|it)\ (?:e-?mail\ |newsletter\ |message\ )?|(?:e-?mail|newsletter)\ )?
        (?:in\ (?:your|a|the)\ (?:web\ )?browser|online|as\ a\ web\ ?page)[.!]?
      | having\ trouble\ viewing\ this\ (?:e-?mail|message|newsletter)\b.{0,80}
      | privacy\ (?:notice|policy|statement)\s*:\s(?=.{0,250}?\b(?:newsletters?|e-?mails?|data|cookies|ads|advertising
                                                                 |info(?:rmation)?|partners|third[\ -]part(?:y|ies))\b).{1,190}
      # a publisher's appeal and a paywall's offer: "Support the Guardian", "Fund independent journalism
      # with £5 per month", "Get 50% off your first year"
      | support\ (?:us|our\ (?:work|journalism|reporting|newsroom)|(?:independent|quality|local|public[\ -]interest)\ journalism
                  |the\ (?:guardian|observer|independent|[\w'’&-]+\ (?:news|times|post|herald|journal|tribune|courier|gazette)))
        (?:\ (?:today|now|from\ [$£€]\d[\d.,]*\b.{0,40}))?[.!]?
      | (?:fund|support|back)\ (?:independent|quality|our|local|public[\ -]interest)\ journalism\b.{0,80}
      | (?:get|save|enjoy|take)\ (?:up\ to\ )?(?:\d{1,3}%|[$£€]\s?\d[\d.,]*|half)\ off\b.{0,60}
      # a page's scripts and reading time: "Please turn on JavaScript to use this feature", "Reading time: 3 minutes"
      | (?:please\ )?(?:turn\ on|enable|activate)\ javascript\b.{0,80}
      | javascript\ is\ (?:disabled|required|not\ (?:enabled|available|supported))\b.{0,80}
      | you\ (?:need|must|have)\ to\ enable\ javascript\b.{0,80}
      | (?:estimated\ )?reading\ time\s*:?\s*(?:about\ |approx\.?\ )?\d+\ ?(?:min(?:ute)?s?|m)\.?
      | we\ (?:value|care\ about|respect)\ your\ privacy[.!]?
      # a picture's credit, a newsletter's label: "Credit: City Transport Authority", "Free weekly newsletter"
      | (?:(?:photo|image|picture|video|cover)\ )?credits?\s*:\s*(?-i:[A-Z@])""" + _NO_CLAUSE + r"""{0,100}(?<![.!?"”’])
      | (?:(?:free|our|daily|weekly|monthly|morning|evening|e-?mail|the)\ ){1,3}newsletters?[.!:]?
      | (?:before|after|skip\ past)\ newsletter\ promotion
      # a forum's archive notice: "archived post. New comments cannot be posted and votes cannot be cast."
      | archived\ post\b.{0,120} | new\ comments\ cannot\ be\ posted\b.{0,100}
      # a wire's pointer to its coverage: "Follow AP's coverage of the war in Ukraine at https://..."
      | follow\ .{1,120}?(?:\ (?:at|on|via|here)\s*:?|:)\s*(?:https?://|www\.)\S{1,150}
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

# The words a _SHORT_CHROME or _DATE_LEAD line can open with (lower case, a trailing ":" dropped):
# a line opening with any other word is not tried against them (most article lines).
_CHROME_OPENERS = frozenset("""
    main open close menu search home homepage toggle navigation back log login logout login/register sign
    signin signout signup register my continue keep the story article scroll view show hide load read leave
    add post join trending most watch video videos listen gallery photos in e-mail email contact i accept
    agree disagree reject decline got ok okay allow manage more cookie privacy consent your do originally
    posted quote reply thread quick report multi-quote multiquote permalink joined posts messages reputation
    likes reaction points photo photograph photographs image images illustration illustrations
    first last published updated modified start date already to this unlock get create
    related breaking exclusive for key live click like started media got have save forum forums message
    board boards community discussion discussions all threads gift aired page next prev previous older newer
    « ‹ < by sort level you you're you’re you've you’ve forwarded was unsubscribe update change edit having
    support fund back save enjoy take please turn enable activate javascript estimated reading we follow
    credit credits cover free our daily weekly monthly morning evening before after skip archived new
""".split())


def _opener(s: str) -> str:
    """The first word of a stripped line, lower case, without a trailing ':' ("Watch:" -> "watch")."""
    space = s.find(" ")
    return (s if space < 0 else s[:space]).rstrip(":").lower()


# Consent / cookie banners: a line that talks about cookies in the site's voice.
_COOKIE = re.compile(
    r"\bcookies?\b.*\b(?:we use|this (?:web)?site|our|consent|accept|policy|preferences|enable|browser)\b"
    r"|\b(?:we use|this (?:web)?site uses|accept all|manage)\b.*\bcookies?\b",
    re.IGNORECASE,
)
# A consent platform's notice: "We and our 842 partners store and/or access information on a device …".
_CONSENT = re.compile(
    r"\bwe and our\b.{0,40}\b(?:partners|vendors)\b.*\b(?:cookies?|device|personal data)\b"
    r"|\b(?:partners|vendors)\b.*\b(?:store and/or access|personali[sz]ed (?:ads|advertising)|ad and content)\b",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"(?:\b(?:Reuters|REUTERS|AP|AFP|Getty Images|EPA|Bloomberg|Shutterstock|Sputnik)\s*/\s*\w[\w .'-]*$"
    r"|\((?:AP|Reuters|AFP|Getty Images)\s+Photo[^)]*\)\s*$|^(?:AP|AFP|Reuters)\s+Photo\b"
    r"|\b(?:Photograph|Photo|Picture|Image|Illustration|Composite)s?:\s*[A-Z][^:.!?]{1,80}$)",  # "… Photograph: Ann Lee/PA"
)
# Boilerplate that can prefix the first real line ("date 2024-11-06 Follow us on Image Source : AP ...").
_LEAD_JUNK = re.compile(
    r"^\s*(?:date\s+\d{4}-\d{2}-\d{2}\s*)?(?:follow us on\b|image source\s*:)", re.IGNORECASE
)
# A heading after which the article body is over (related stories, tag lists, newsletters). All that
# follows it goes: "More from" needs a name after it ("More from The Daily Courier"; "More from the
# interview" is a subhead), "14 thoughts on" a title in quotes or capitals.
_FOOTER = re.compile(
    r"^(?:related(?: (?:articles?|stories|news|coverage))?|more from (?:the )?(?-i:[A-Z])[\w&'’ .-]{0,40}(?<![.!?])|recommended(?: for you| stories| articles| reading)?"
    r"|tags|subscribe to our newsletter|you may also like|most (?:read|popular|viewed)|trending(?: now| stories)?"
    r"|related topics|explore more on (?:these|this) topics?|more on this (?:story|topic)|comments? \(\d+\)"
    r"|\d+ (?:comments?|(?:thoughts on|responses? to) (?:[“\"‘'].{1,150}[”\"’']|(?-i:[A-Z]).{0,150}(?<![.!?])))"
    r"|about the author"
    r"|our standards\s*:.{0,80}|#{3,}|-\s?30\s?-)$",  # "###", "-30-": a press release's end
    re.IGNORECASE,
)
# A press release's closing "About Acme Corp." (or "About the Company"): the company's own
# description and contacts follow. Title case, a line of its own, in the second half of the text.
_ABOUT_HEADING = re.compile(r"About (?:the )?[A-Z][\w.&'’-]*(?: (?:[A-Z&][\w.&'’,-]*|of|and|for|the)){0,6}:?")
_MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()
_ANY_DATE = re.compile(  # (?=...) first: a date starts with a digit or a month's capital, so every
    # other position fails at once instead of trying the three forms there (the scan still enters
    # the matcher at every position: only a pattern that opens with a character or a set of them
    # lets the engine skip ahead, see mentions._first_token; the named groups keep this one as is)
    r"(?=[\dJFMASOND])(?:\b(?P<iso>\d{4}-\d{2}-\d{2})\b"
    r"|\b(?P<long>(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+(?P<day>\d{1,2}),\s+(?P<year>\d{4}))\b"
    r"|\b(?P<dmy>(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4}))\b)"
)
# Where _ANY_DATE matches, found by a pattern that opens with a set of characters (the engine skips
# to them; see mentions._first_token): the first character is read, then `\b` and the rest of
# the form that character opens. find_published asks _ANY_DATE itself for the groups there.
_DATE_AT = re.compile(r"[\dJFMASOND](?<!\w.)(?:(?<=\d)(?:\d{3}-\d{2}-\d{2}\b|\d?-\d{1,2}-\d{4}\b)"
                      r"|(?:(?<=J)(?:an|u[nl])|(?<=F)eb|(?<=M)a[ry]|(?<=A)(?:pr|ug)|(?<=S)ep|(?<=O)ct|(?<=N)ov|(?<=D)ec)"
                      r"[a-z]*\.?\s+\d{1,2},\s+\d{4}\b)")
_DATELINE_SOURCE = re.compile(r"^(?:[A-Z][\w.,' -]{1,40}?\s)?\(([A-Z][\w .&'-]{1,40})\)\s+[—–-]")
_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_ZERO_WIDTH = re.compile(f"[{_ZERO_WIDTH_CHARS}]")


# An HTML character reference left in scraped text ("&quot;", "&#8220;", "&#x201C;", "&nbsp;"): the
# semicolon is required, so "AT&T", "R&D" and "?a=1&para=2" stay as they are.
_CHAR_REF = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _char(m: re.Match) -> str:
    """The character an HTML reference stands for; an unknown name stays as written."""
    return html.unescape(m.group(0))


def normalise(raw: str) -> str:
    """Unify line endings, drop zero-width characters and decode HTML character references
    ("&ldquo;" -> "“", so the quote finder sees the marks); every other character stays as is
    (no Unicode re-composition, no trimming)."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text and ";" in text:
        text = _CHAR_REF.sub(_char, text)
    if any(c in text for c in _ZERO_WIDTH_CHARS):  # a search per character is cheaper than the regex's scan
        text = _ZERO_WIDTH.sub("", text)
    return text


def is_boilerplate(line: str) -> bool:
    """True for a line that is site chrome rather than article text."""
    return _boilerplate(line.strip())


# A breadcrumb trail: "Home > World > Europe", "Home / News", "News » Politics » Congress".
_BREADCRUMB = re.compile(
    r"^(?:home(?:page)?\s*(?:[>»›/]|\s/\s)|[\w&'.,-]+(?: [\w&'.,-]+){0,3}\s*[>»›]"
    r"\s*[\w&'.,-]+(?: [\w&'.,-]+){0,3}\s*[>»›])\s*[\w&'.,-]+(?: [\w&'.,-]+){0,3}"
    r"(?:\s*(?:[>»›]|\s/\s)\s*[\w&'.,-]+(?: [\w&'.,-]+){0,3})*$",
    re.IGNORECASE,
)
# A row of site links: short items between "|" or "•", one of them a site's own page.
_MENU_ITEM = re.compile(r"^[\w&'.-]+(?: [\w&'.-]+){0,2}$")
_SITE_PAGES = frozenset("""
    home sign-in sign-up log-in login logout register subscribe newsletter newsletters account my-account
    contact contact-us about about-us privacy privacy-policy terms terms-of-use terms-of-service cookies
    cookie-policy help faq advertise careers jobs archive podcasts video videos sitemap rss menu search
""".split())


# A line that only dates the page: "Posted 07 November 2024 - 09:12 AM", "Published 3 March 2025 |
# Updated 4 March 2025", "Start date Nov 7, 2024", a broadcast's "Aired December 3, 2023 - 09:00 ET"
# (every word after the lead is part of a date).
_DATE_LEAD = re.compile(r"^(?:(?:first\ |last\ )?(?:published|posted|updated|modified)|aired|start\ date|date)\b(?:\ (?:on|at))?:?\s",
                        re.IGNORECASE | re.VERBOSE)
_DATE_WORD = re.compile(
    r"(?:[\d:/.,\-–|]+|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?"
    r"|(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?|[ap]\.?m\.?,?|on|at|(?:updated|published|posted):?"
    r"|\d{1,2}(?:[:.]\d{2})?[ap]\.?m\.?,?"
    r"|(?:utc|gmt|[ecmp][sd]?t|bst|cet|cest|ist),?|\d+(?:st|nd|rd|th),?)$",
    re.IGNORECASE,
)


def _date_only(s: str) -> bool:
    """True for a page's date line (see _DATE_LEAD): a lead word, then only date words, a digit among them."""
    m = _DATE_LEAD.match(s)
    if not m or len(s) > 120:
        return False
    rest = s[m.end():].split()
    return bool(rest) and any(c.isdigit() for c in s) and all(_DATE_WORD.match(w) for w in rest)


# A date line with no lead word ("Friday, 7 March 2025, 6:00 am", "Fri 14 Feb 2025 06.00 GMT"): only
# date words, a month or day name and a clock time among them. A date alone ("Friday, December 4,
# 2015.") or a time alone (a live blog's "6:01 p.m." entries) stays: PolNeAR's texts keep them.
_DATE_NAME = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*\b", re.IGNORECASE
)
_CLOCK = re.compile(r"\d{1,2}[:.]\d{2}|\d{1,2}(?:[:.]\d{2})?\s?[ap]\.?m\b", re.IGNORECASE)
_DATE_OPENERS = frozenset(
    "jan january feb february mar march apr april may jun june jul july aug august sep sept september oct "
    "october nov november dec december mon monday tue tues tuesday wed wednesday thu thur thurs thursday fri "
    "friday sat saturday sun sunday".split()
)


# A page's "Updated" glued to the time before it, as some scrapes give it ("4:12 PM GMTUpdated 2 hours ago").
_GLUED_UPDATE = re.compile(r"(?<=\w)(?=(?:Updated|Published|Posted)\b)")


def _bare_date(s: str, first: str) -> bool:
    """True for a line (opening with the word `first`) that is only a date and a time (see _DATE_NAME),
    perhaps with how long ago it was updated ("December 5, 2023 4:12 PM GMT Updated 2 hours ago")."""
    if len(s) > 80 or not (s[0].isdigit() or first.rstrip(".,") in _DATE_OPENERS):
        return False
    words = _GLUED_UPDATE.sub(" ", s).split()
    for k in (3, 4, 2):  # "... Updated 2 hours ago", "... Updated 4 hr. ago", "... Updated ago" (a time left empty)
        if len(words) > k and _AGO.match(" ".join(words[-k:])):
            words = words[:-k]
            break
    return all(_DATE_WORD.match(w) for w in words) and bool(_DATE_NAME.search(s)) and bool(_CLOCK.search(s))


# "JohnB 2 hours ago", "Updated 5 mins ago", "Last updated 2 minutes ago": a comment's or a page's
# relative time, with a dot between a user's name and the time ("nordic_fox · 4 hr. ago"), or left
# empty after the lead word ("Updated ago").
_AGO_UNIT = r"\d+\ ?(?:secs?|seconds?|mins?|minutes?|hrs?|hours?|days?|weeks?|months?|years?|yrs?|mo|[hmdwy])\.?\ ago"
_AGO_LEAD = r"(?i:(?:last\ )?(?:updated|posted|published|modified))"
_AGO = re.compile(rf"^(?:{_AGO_LEAD}\ (?:{_AGO_UNIT}|ago)|(?:\S+\ (?:[·•|–-]\ )?)?{_AGO_UNIT})$")

# A byline: "By Marta Kivi and Jonas Berg", "By ANNA PRICE, Political Reporter", "EXCLUSIVE by Kelly
# Hart, Showbiz Reporter", "By Priya Nair | Economics correspondent": capitalised names after "By",
# then at most a role in capitalised words or one ending in a newsroom noun. Case matters: "By the
# time police arrived, ...", "By contrast, ..." and "By Tuesday, officials said, ..." are sentences.
_ROLE_NOUNS = ("reporter|correspondent|editor|writer|columnist|contributor|journalist|producer|critic"
               "|photographer|staff|desk|team|bureau|member|moderator")
# (a name's word is never "AND": as both a word and a separator it made the match exponential)
_PARTICLES = pattern("name_particles")  # lexicons/quotes/name_particles.txt: "van der", "de", "bin"
_NAME = r"(?!AND\b)[A-Z][\w'’.-]*(?:\ (?:(?!AND\b)[A-Z][\w'’.-]*|" + _PARTICLES + r")){0,3}"
_BYLINE = re.compile(
    rf"^(?:(?i:exclusive|story|words|text|report)\ )?(?:By|BY|by)\ {_NAME}(?:\s*(?:,|and|AND|&)\s*{_NAME})*"
    rf"(?:\s*[,|–—-]\s*(?:[A-Z][\w'’-]*(?:\ (?:[A-Z][\w'’-]*|of|for|and|the|at|in)){{0,5}}"
    rf"|(?:[\w'’-]+\ ){{0,3}}(?i:{_ROLE_NOUNS})))?$"
)
# The reporter's role on its own line: "Local Democracy Reporter", "Economics correspondent", "Senior Member".
# Also a name before a newsroom role: "Peter Walker Deputy political editor".
_ROLE_LINE = re.compile(rf"^(?:[A-Z][\w'’-]*\ ){{0,3}}(?i:{_ROLE_NOUNS})$"
                        r"|^(?:[A-Z][\w'’-]*\ ){2,4}(?:[a-z][\w'’-]*\ ){0,2}"
                        r"(?i:reporter|correspondent|editor|writer|columnist|journalist|producer|critic|photographer)$"
                        # "Jane Doe, Staff Writer", "Jane Doe, a senior correspondent"
                        rf"|^(?:[A-Z][\w'’.-]*\ ){{1,3}}[A-Z][\w'’.-]*,\ (?:(?:[A-Z][\w'’-]*|the|a|an|our|senior|chief|deputy"
                        rf"|staff|political|contributing|special|associate)\ ){{0,3}}(?i:{_ROLE_NOUNS})$")
_ROLE_LAST = frozenset(_ROLE_NOUNS.split("|"))

# Buttons and share targets, alone or in a row: "Facebook", "Copy link", "Like Reply Report",
# "Reply · 12 likes" (every word one of these, or a count). A button has no full stop: "FACEBOOK."
# and "X." are headings of an article's sections (PolNeAR keeps them).
_BUTTON_WORDS = frozenset("""
    facebook twitter x whatsapp linkedin reddit pinterest telegram messenger flipboard tumblr threads bluesky
    email e-mail mail sms print share copy link save bookmark like likes unlike reply replies report quote
    multi-quote multiquote permalink pin tweet it embed follow unfollow upvote downvote award
""".split())
_BUTTON_SPLIT = re.compile(r"[\s|·•,/]+")

# A photo caption that ends with its credit: "... on Tuesday. REUTERS/Ints Kalnins", "... (Image: Getty)".
_CAPTION_TAIL = re.compile(r"\((?:(?:image|photo|picture|pic|credit|photograph)s?\s*:\s*"
                           r"|(?:photo|image|picture)s?\ (?:by|courtesy\ of)\ )[^()]{1,60}\)$", re.IGNORECASE)
# Contact lines: an e-mail address or a telephone number alone.
# Also a reporter's name with a social handle: "Jane Doe @janedoe".
_CONTACT = re.compile(r"^(?:[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:\(\d{2,5}\)|\+\d{1,3}|0\d{2,4})[\s.-]?\d{3,4}[\s.-]?\d{3,4}"
                      r"|[A-Z][\w'’.-]*(?:\ [A-Z][\w'’.-]*){0,3}\ @\w{1,30})$")
# A gallery's place in its pictures: "2 of 6", "3/6".
_OF_TOTAL = r"\d{1,3}\s*(?:/|of)\s*\d{1,3}"
# A forum's counters, a subreddit and a gallery's place alone on their line: "1.2k comments", "94%
# Upvoted", "r/worldnews", "1 / 6".
_COUNTER = re.compile(r"^(?:\d[\d.,]*[km]?\ (?:comments?|replies|points?|upvotes?|votes?|shares|likes|views)"
                      r"|\d{1,3}%\ upvoted|/?[ru]/[\w-]{2,30}|" + _OF_TOTAL + r")$", re.IGNORECASE)
# The same place with its label: "Image 2 of 6", "Photo 3/6", "Slide 4 of 12".
_GALLERY_COUNTER = re.compile(r"^(?:image|photo|picture|slide|pic)s?\s*" + _OF_TOTAL + "$", re.IGNORECASE)
# Who contributed to the report: "CNN's Jake Morrow contributed to this report.", "Associated Press
# writer Dan Cole contributed to this report.", "Jake Morrow contributed reporting."
_CONTRIBUTED = re.compile(r"^[^.!?]{1,160}\ contributed(?:\ to\ (?:this|the)\ (?:report|story|article)|\ (?:additional\ )?reporting"
                          r"(?:\ (?:to|for)\ (?:this|the)\ (?:report|story|article))?)\.?$")
# A link back to the front page, perhaps after the site's name: "The Guardian - Back to home".
_BACK_HOME = re.compile(r"^(?:[\w'’&.]+(?:\ [\w'’&.]+){0,4}\ [-–—|:]\ )?back\ to\ (?:home(?:\ ?page)?|the\ (?:home\ ?page|front\ page))$",
                        re.IGNORECASE)


def _byline_or_button(s: str, first: str) -> bool:
    """True for a byline, a reporter's role, a row of buttons, a relative time or a contact line
    (`first`: the line's first word, see _opener)."""
    if first in ("by", "exclusive", "story", "words", "text", "report") and _BYLINE.match(s):
        return True
    if len(s) < 50 and s.rsplit(" ", 1)[-1].lower() in _ROLE_LAST and _ROLE_LINE.match(s):
        return True
    if len(s) < 80 and first.rstrip(":") in _BUTTON_WORDS:
        words = [w.rstrip(":").lower() for w in _BUTTON_SPLIT.split(s) if w]
        words = [w[1:-1] if w[:1] == "(" and w[-1:] == ")" else w for w in words]  # "Like (12)": a count
        if all(w in _BUTTON_WORDS or w.isdigit() for w in words) and not all(w.isdigit() for w in words):
            return True
    if s.endswith(" ago") and len(s) < 60 and _AGO.match(s):
        return True
    if s.endswith(")") and _CAPTION_TAIL.search(s, max(0, len(s) - 90)):
        return True
    return len(s) < 40 and ("@" in s or s[0] in "(+0") and bool(_CONTACT.match(s))


def _has_arrow(s: str) -> bool:
    return ">" in s or "»" in s or "›" in s or " / " in s


def _site_menu(s: str) -> bool:
    """True for "Sign in | Register", "News | Sport | Weather | Contact us": a line of two or more
    items of one to three words between "|" (or "•"), one of which names a site's own page."""
    if len(s) > 200 or ("|" not in s and "•" not in s):
        return False
    items = [item.strip() for item in re.split(r"\s*[|•]\s*", s)]
    items = [item for item in items if item]
    if len(items) < 2 or not all(_MENU_ITEM.match(item) for item in items):
        return False
    if len(items) >= 4 and all(len(item.split()) <= 2 and not any(c.isdigit() for c in item) for item in items) \
            and (len(items) >= 5 or all(item.isupper() for item in items)):
        return True  # "NEWS | SHOWBIZ | SPORT | TV | PREMIUM": a row of section names
    return any("-".join(item.lower().split()) in _SITE_PAGES for item in items)


# The separators of a row of page furniture: "Published 3 May 2025, 09:41 GMT | Updated 2 hours ago".
_ROW_SPLIT = re.compile(r"\s+[|•·]\s+")


def _chrome_row(s: str) -> bool:
    """True for a row of two or more items between " | " (or " • ", " · ") each of which is
    page furniture on its own line ("Joined: 2019 | Posts: 1,204", "Report post | Like (12)",
    "Published 3 May 2025 | Updated 2 hours ago"); a headline with a section after its bar
    ("Trump wins election | Live updates") has an item that is not."""
    items = _ROW_SPLIT.split(s)
    return len(items) >= 2 and all(item and not _ROW_SPLIT.search(item) and _boilerplate(item) for item in items)


# A sentence that says whose words it gives: ", the ministry said.", ", officials say.", ", said Ana Ruiz.",
# ", according to the council." at its end. Page furniture never does; a line that opens like it
# ("Sign up sheets were posted outside the town hall, the organisers said.") is the article's.
_ATTRIBUTED = re.compile(
    r",\ (?:(?:according\ to|said|says|told)\ (?:[\w'’.-]+\ ){0,5}[\w'’.-]+"
    r"|(?:[\w'’.-]+\ ){0,5}(?:said|says|say|told\ [\w'’-]+|added|adds|argued|argues|warned|warns|wrote|writes"
    r"|noted|notes|reported|reports|announced|explained|insisted|claimed|urged|cautioned|stated|promised|admitted"
    r"|conceded|acknowledged|replied|recalled|asked|suggested|predicted|estimated|confirmed|denied|complained"
    r"|declared|vowed|pledged|tweeted|ordered|advised)"
    r"(?:\ [\w'’-]+){0,4})"  # "... on Tuesday", "... told reporters in Kyiv", "... warned members"
    r"[.!?][\"”’']?$"
)
ATTRIBUTION_TAIL = 150  # characters at the end of a line searched for its attribution


def _attributed(s: str) -> bool:
    """True for a line that ends by saying who said it (see _ATTRIBUTED)."""
    return s[-1] in ".!?\"”’'" and bool(_ATTRIBUTED.search(s, max(0, len(s) - ATTRIBUTION_TAIL)))


def _boilerplate(s: str) -> bool:
    """is_boilerplate of a stripped line: a line that looks like page furniture (the patterns above)
    and does not attribute its words to someone (see _attributed, asked only of such lines)."""
    if not s:
        return False
    if _DROP_LINE.match(s) or ((s[-1] in _OPENS_NEW_ENDS or s[-1] == "\n" and s[-2:-1] in _OPENS_NEW_ENDS)
                               and _OPENS_NEW.match(s)):
        return not _attributed(s)
    if len(s) < SHORT_CHROME:
        first = _opener(s)
        if s[0] == "#" or first in _CHROME_OPENERS:
            if _SHORT_CHROME.match(s) or _date_only(s):
                return not _attributed(s)
        if _bare_date(s, first) or _byline_or_button(s, first):
            return not _attributed(s)
        if (_has_arrow(s) and _BREADCRUMB.match(s)) or _site_menu(s):
            return not _attributed(s)
        if ("|" in s or "•" in s or "·" in s) and _chrome_row(s):
            return not _attributed(s)
        if s[-1] in "eE" and _BACK_HOME.match(s):  # "... home", "... page"
            return not _attributed(s)
        if len(s) < 40 and (s[0].isdigit() or s[1:2] == "/" or s[0] == "/") and _COUNTER.match(s):
            return not _attributed(s)
        if len(s) < 24 and first in ("image", "photo", "picture", "slide", "pic", "images", "photos") \
                and _GALLERY_COUNTER.match(s):
            return True
        if " contributed" in s and s[-1] in ".gtye" and _CONTRIBUTED.match(s):  # (report, reporting, story, article)
            return True
    if len(s) < 400 and "cookie" in s.lower() and _COOKIE.search(s):
        return not _attributed(s)
    if len(s) < 600 and ("partners" in s or "vendors" in s) and _CONSENT.search(s):
        return not _attributed(s)
    if len(s) < 120 and ("/" in s or ":" in s or "Photo" in s) and _CREDIT.search(s) \
            and not s.endswith((".", '"', "”")):  # each of _CREDIT's forms holds "/", ":" or "Photo"
        return not _attributed(s)
    return len(s) < 200 and bool(_LEAD_JUNK.match(s)) and not _attributed(s)


def find_published(raw: str) -> str:
    """The first date in the raw text as YYYY-MM-DD, or ''."""
    head = raw[:3000]
    # One scan for the three forms; an ISO date anywhere wins, then "Nov 6, 2024", then 06-11-2024.
    first: dict[str, re.Match] = {}
    pos = 0
    while (at := _DATE_AT.search(head, pos)) is not None:  # _ANY_DATE.finditer(head), skipping ahead
        m = _ANY_DATE.match(head, at.start())
        first.setdefault(m.lastgroup, m)
        if m.lastgroup == "iso":
            return m.group(0)
        pos = m.end()
    m = first.get("long")
    if m:
        month = _MONTHS.index(m.group("month")[:3].lower()) + 1
        return f"{m.group('year')}-{month:02d}-{int(m.group('day')):02d}"
    m = first.get("dmy")
    if m and int(m.group("m")) <= 12 and int(m.group("d")) <= 31:
        return f"{m.group('y')}-{int(m.group('m')):02d}-{int(m.group('d')):02d}"
    return ""


TITLE_MAX_WORDS = 25
LEDE_TITLE_WORDS = 15
# A site's name on its own line right above the headline ("The Daily Courier", "Metro News",
# "example.com"): the headline under it is the title. Known by its last word, or as a domain.
_MASTHEAD_LAST = frozenset("""
    news times post herald courier tribune journal daily gazette guardian telegraph chronicle
    observer standard sun mail express independent wire online magazine weekly insider
    register bulletin dispatch monitor examiner enquirer inquirer sentinel mirror globe beacon
    argus messenger advertiser politics bbc cnn npr reuters afp upi bloomberg transcripts
    corporation broadcasting network radio television press agency
""".split())
_MASTHEAD = re.compile(r"^[A-Z][\w'’&-]*(?: (?:[A-Z][\w'’&-]*|the|of|and|&)){0,4}$"
                       r"|^(?:www\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|org|net|co\.uk|com\.au|news|info)$")


# A forum's or mailing list's label before a thread's title: "Thread: Minister says ...", "Re: ...".
_THREAD_LABEL = re.compile(r"^(?:(?:thread|topic|subject)\s*:\s*|(?:re|fwd?)\s*:\s*)+", re.IGNORECASE)


_SENTENCE_MARKS = frozenset(".!?;:,\"“”‘’'()")


# A live blog's series name: "Ukraine war live", "Politics live with Andrew Sparrow".
_LIVE_SERIES = re.compile(r"^[A-Z][\w'’-]*(?:\ [\w'’-]+){0,3}\ live(?:\ with\ [A-Z][\w'’.-]*(?:\ [A-Z][\w'’.-]*){0,3})?$")


def _label(line: str) -> bool:
    """A site's name or a section label stacked above a headline: "The Daily Courier",
    "example.com" (see _masthead), one or two words without punctuation ("Politics live",
    "UK news", "Exclusive"), or a live blog's series ("Politics live with Andrew Sparrow")."""
    return _masthead(line) or (len(line.split(None, 2)) <= 2 and not any(c in line for c in _SENTENCE_MARKS)) \
        or (len(line) <= 80 and bool(_LIVE_SERIES.match(line)))


def _under_labels(body: str) -> str:
    """The headline under up to three label lines at the top of `body`, each right above the
    next (no blank line between): a title under site names, a title of five words or more under
    other labels; else ''."""
    pos, k = 0, 0
    line = ""
    site = True  # only site names so far: any headline under them will do
    while k <= 3 and pos < len(body):
        nl = body.find("\n", pos)
        nl = len(body) if nl < 0 else nl
        line = body[pos:nl].strip()
        if not line:
            return ""  # a blank line ends the stack: the labels were the headline after all
        if not _label(line):
            break
        site = site and _masthead(line)
        pos, k = nl + 1, k + 1
    else:
        return ""
    if k and (site or len(line.split(None, 5)) >= 5) and _looks_like_title(line):
        return line
    return ""


def _masthead(line: str) -> bool:
    """A line that names the site rather than the article: up to five capitalised words ending
    in a newspaper word ("The Daily Courier", "CNN Politics") or a bare domain."""
    if not _MASTHEAD.match(line):
        return False
    return "." in line or line.rsplit(" ", 1)[-1].lower() in _MASTHEAD_LAST


def _looks_like_title(line: str, max_words: int = TITLE_MAX_WORDS) -> bool:
    """A headline: 2 to 25 words, not ending in ',' or ':' (a sentence-final period is fine:
    many archives add one, "Rep. Welch to back Sanders for president.")."""
    # split at most max_words times: a huge line is not cut into all its words to count them
    return 2 <= len(line.split(None, max_words)) <= max_words and not line.endswith((",", ":", ";"))


def find_title(body: str) -> str:
    """The article's title, from its clean text: the first line when it looks like a headline
    ("Kremlin says U.S. ties at a low ..."), with the line after it when the first ends in ';'
    (a headline and its subhead: "Jobs report gives Democrats a lift; Solid upturn, ...");
    the line after it when the first is the site's name right above the headline ("The Daily
    Courier" / "Mayor rejects plan ..."); otherwise the first sentence, cut to 15 words and '…' when longer, so that every task
    has a name in Label Studio's task list."""
    pos = 0
    lines: list[str] = []
    while len(lines) < 2 and pos <= len(body):
        nl = body.find("\n", pos)
        nl = len(body) if nl < 0 else nl
        line = body[pos:nl].strip()
        if line or lines:
            lines.append(line)
        pos = nl + 1
    if not lines:
        return ""
    for line in _first_lines(body, 3):  # a forum's section names stand above the thread's own title
        if line[:7].lower().startswith(("thread", "topic")) and _THREAD_LABEL.match(line):
            titled = _THREAD_LABEL.sub("", line, count=1)
            if _looks_like_title(titled):
                return titled
    first = _THREAD_LABEL.sub("", lines[0], count=1) or lines[0]
    under = _under_labels(body)
    if under:
        return under
    if first.endswith(";") and len(lines) > 1 and lines[1] and _looks_like_title(f"{first} {lines[1]}", 30):
        return f"{first} {lines[1]}"
    if _looks_like_title(first):
        return first
    start = body.find(first)
    ss, se = next(sentences(body, start, start + len(first)), (start, start + len(first)))
    words = body[ss:se].split(None, LEDE_TITLE_WORDS)  # the rest, if any, is one piece: never used
    if len(words) <= LEDE_TITLE_WORDS:
        return " ".join(words)
    return " ".join(words[:LEDE_TITLE_WORDS]).rstrip(",;:—–-") + "…"


# A heading over a list of links to other stories, inside the article ("Read more:", "See also"):
# the headlines right under it are links, not the article's text.
_LINK_LIST_HEAD = re.compile(
    r"(?:(?:read|see)\ (?:more|also)|also\ read|related(?:\ (?:articles?|stories|links|coverage))?"
    r"|more\ on\ this\ (?:story|topic)|recommended(?:\ (?:reading|stories|for\ you))?)\s*:?",
    re.IGNORECASE)
LINK_LIST_MAX = 8  # link lines dropped under one such heading, at the most
# A forum reply's subject line ("Re: Minister says the bridge will reopen"), below the thread's title.
_REPLY_SUBJECT = re.compile(r"re\s*:\s.{1,150}", re.IGNORECASE)


# A video's or a gallery's label before its title: furniture as a teaser inside a page, the
# headline when it stands first ("Watch: Spring festival returns", "In pictures: ...").
_TEASER_HEADLINE = re.compile(r"(?:watch|video|listen|gallery|photos|in\ pictures)\s*:\s+\S", re.IGNORECASE)


def _link_line(s: str) -> bool:
    """A linked headline in a list under a _LINK_LIST_HEAD heading: a title's length, no
    sentence's end ("Council delays vote on transit levy"). A sentence ends the list."""
    return _looks_like_title(s) and s[-1] not in ".!?\"”’'"


def _more_bylines(s: str) -> bool:
    """A byline's next names on the line under it: "and Amy Cole" under "By Daniel Frost"."""
    if s[:4] in ("and ", "And ", "AND "):
        return bool(_BYLINE.match("By " + s[4:]))
    return s[:2] == "& " and bool(_BYLINE.match("By " + s[2:]))


# A reporter's name and where they write from, a line of its own under the headline ("Luca Bertolini
# in Milan", "Ana Ruiz and Tom Hale in Kyiv"): two or three capitalised words a name.
_PERSON = r"[A-Z][\w'’-]+(?:\ (?:[A-Z][\w'’.-]+|" + _PARTICLES + r")){1,2}"
_PLACE = r"[A-Z][\w'’.-]+(?:\ [A-Z][\w'’.-]+){0,2}"
_PLACED_BYLINE = re.compile(rf"^(?:{_PERSON}(?:\ in\ {_PLACE})?(?:,\ |\ and\ )){{0,2}}{_PERSON}\ in\ {_PLACE}$")
PLACED_BYLINE_LINES = 3  # such a line is a byline only among the first lines under the headline


def _placed_byline(kept: list[str]) -> int:
    """The index in `kept` of a "Name in Place" byline among the PLACED_BYLINE_LINES lines under the
    headline (see _PLACED_BYLINE), or -1."""
    seen = 0
    for i, line in enumerate(kept):
        s = line.strip()
        if not s:
            continue
        if seen and len(s) < 80 and " in " in s and _PLACED_BYLINE.match(s):
            return i
        seen += 1
        if seen > PLACED_BYLINE_LINES:
            break
    return -1


MENU_RUN = 3  # section names one a line above the headline, at the least
MENU_RUN_MAX = 40


def _menu_item(s: str) -> bool:
    """A site's section name on a line of its own ("News", "UK news", "Lifestyle"): one or two words
    without punctuation, or the site's name (see _masthead)."""
    return len(s) < 60 and ((len(s.split(None, 2)) <= 2 and not any(c in s for c in _SENTENCE_MARKS)) or _masthead(s))


def _top_menu(kept: list[str]) -> int:
    """How many lines of `kept` are a site's section menu above the headline: a run of MENU_RUN or
    more section names (see _menu_item) from the top, one a line with no blank line between them,
    then right under them a headline of four words or more; else 0."""
    items = 0
    for i, line in enumerate(kept):
        s = line.strip()
        if not s:
            if items:
                return 0  # a blank line ends the run: these were short lines of the article's own
            continue
        if _menu_item(s):
            items += 1
            if items > MENU_RUN_MAX:
                return 0
            continue
        if items >= MENU_RUN and len(s.split(None, 4)) >= 4 and _looks_like_title(s) and s[-1] not in ",;:":
            return i
        return 0
    return 0


def clean_text(raw: str) -> dict:
    """Return {"text", "title", "published", "source"} for one raw article."""
    text = normalise(raw)
    kept: list[str] = []
    kept_chars = 0  # a running total: summing `kept` at every footer-like line is quadratic
    dropped = False
    links = 0  # link lines still to drop under a "Read more:" heading
    bylines: list[int] = []  # where in `kept` the line after a removed byline ("By Daniel Frost") went
    headline = True  # no line of the article kept yet: the next one is its headline
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:  # a blank line is neither footer nor boilerplate; it ends a list of links
            kept.append(line)
            kept_chars += len(line)
            links = 0
            continue
        if kept_chars > 200 and (_FOOTER.match(stripped) or stripped[:6] == "About "
                                 and 2 * kept_chars > len(text) and _ABOUT_HEADING.fullmatch(stripped)):
            dropped = True
            break
        if links and _link_line(stripped):
            links -= 1
            dropped = True
            continue
        links = 0
        if headline and _TEASER_HEADLINE.match(stripped):
            pass  # "Watch: Spring festival returns" above the story is its headline, not a teaser
        elif _boilerplate(stripped) or (not headline and stripped[:2].lower() == "re" and _REPLY_SUBJECT.fullmatch(stripped)):
            if _LINK_LIST_HEAD.fullmatch(stripped):
                links = LINK_LIST_MAX
            if stripped[:3].lower() == "by " and _BYLINE.match(stripped):
                bylines.append(len(kept))
            dropped = True
            continue
        kept.append(line)
        kept_chars += len(line)
        headline = False
    more = {at for at in bylines if at < len(kept) and _more_bylines(kept[at].strip())}
    if more:  # a byline's names that go on on the next line: "and Amy Cole"
        kept = [line for i, line in enumerate(kept) if i not in more]
    pulled = _pull_quotes(kept)
    if pulled:
        kept = [line for i, line in enumerate(kept) if i not in pulled]
        dropped = True
    menu = _top_menu(kept)
    if menu:
        kept = kept[menu:]
        dropped = True
    at = _placed_byline(kept)
    if at >= 0:
        del kept[at]
        dropped = True
    body = "\n".join(kept)
    if dropped:  # removed lines leave blank runs behind: close them up
        body = re.sub(r"\n(?:[ \t]*\n){2,}", "\n\n", body)
    # Leading and trailing blank space goes; a final line break stays, as in the raw file.
    stripped = body.strip()
    body = stripped + "\n" if stripped and text.endswith(("\n", " ", "\t")) and text.rstrip(" \t").endswith("\n") \
        else stripped
    title = find_title(body)
    source = ""
    for ln in _first_lines(body, 5):
        m = _DATELINE_SOURCE.match(ln)
        if m:
            source = m.group(1).strip()
            break
    return {"text": body, "title": title, "published": find_published(text), "source": source}


# A line that is only a quotation: a pull quote a page repeats from the article in large type.
_PULL_QUOTE = re.compile(r"[\"“‘'](?P<inner>[^\"“”\n]{20,300}?)[\"”’']")
PULL_QUOTES_TRIED = 50  # quotation-only lines looked up, at most (each is a search of the article)
_QUOTE_OPENERS = frozenset("\"“‘'")


def _pull_quotes(lines: list[str]) -> set[int]:
    """Indexes of the lines that are only a quotation whose words stand elsewhere in the article
    (a pull quote: '“It is a plan for developers.”' under the paragraph that says who said it).
    A quotation-only line found nowhere else is the article's own and stays."""
    tried: dict[int, str] = {}  # line index -> the words inside its marks
    for i, line in enumerate(lines):
        stripped = line.strip()
        if len(line) < 320 and stripped[:1] in _QUOTE_OPENERS and (m := _PULL_QUOTE.fullmatch(stripped)):
            tried[i] = m.group("inner")
            if len(tried) == PULL_QUOTES_TRIED:
                break
    if not tried:
        return set()
    rest = "\n".join(line for i, line in enumerate(lines) if i not in tried)
    return {i for i, inner in tried.items() if inner in rest}


def _first_lines(body: str, n: int) -> list[str]:
    """The first `n` non-blank lines of `body`, stripped (without splitting the whole text)."""
    out: list[str] = []
    pos = 0
    while len(out) < n and pos <= len(body):
        nl = body.find("\n", pos)
        nl = len(body) if nl < 0 else nl
        line = body[pos:nl].strip()
        if line:
            out.append(line)
        pos = nl + 1
    return out

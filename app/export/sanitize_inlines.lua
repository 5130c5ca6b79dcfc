--[[
Plume's pandoc filter for inline elements of untrusted section texts, used only when a text has
an image ("![") or may hold a link with an unsafe scheme (app/text/links.py decides).

An image would make the docx writer read a file and the typst writer emit #image(...): it
becomes the literal text the user wrote instead. Raw inlines, spans, maths and citations cannot
come out of Plume's Markdown dialect; they are neutralised here too, in case defaults change.
(Walking every inline element costs about a fifth of a conversion, hence a separate filter.)
]]

function Image(image)
  local alt = pandoc.utils.stringify(image.caption)
  return pandoc.Str('![' .. alt .. '](' .. image.src .. ')')
end

function RawInline(raw) return pandoc.Code(raw.text) end
function Math(math) return pandoc.Code(math.text) end
function Cite(cite) return cite.content end
function Span(span) return span.content end
-- The link schemes a reader may follow: app/text/links.py SAFE_SCHEMES (a test compares them).
-- A link with another scheme (javascript:, data:, file:...) becomes its text. So does a link to an
-- anchor (#part): a section's text names no anchor of the assembled document, and typst refuses
-- a link to a label that does not exist (the whole PDF would fail).
local SAFE = {http = true, https = true, mailto = true}
-- A Word comment marker (U+E0F1 or U+E0F2 around a comment's id, app/export/comments.py) may
-- sit in a target; Plume drops it from the written file, so the rule reads the target without.
local MARKER = '(\xEE\x83[\xB1\xB2])%d+%1'

function Link(link)
  local target = link.target:gsub(MARKER, '')
  if target:match('^%s*#') then return link.content end
  local scheme = target:match('^%s*(%a[%w+.%-]*):')
  if scheme and not SAFE[scheme:lower()] then return link.content end
  link.attr = pandoc.Attr()
  return link
end
function Code(code) code.attr = pandoc.Attr(); return code end

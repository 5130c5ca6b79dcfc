--[[
Plume's always-on pandoc filter: block-level clean-up of the untrusted section texts.

Every export is one pandoc run over many files (`--file-scope`: each parsed on its own). Files
written by Plume start their headings with the private-use character U+E0F3, which user text
cannot contain (Plume strips it): such a heading is trusted, and sets the level of the section
that follows. A heading from user text goes below it and loses any attributes; its level counts
the user headings it is nested in, never skipping one (inside section 2.1, a first "###" becomes
level 3, a "####" under it level 4, a later "#" level 3 again). Raw blocks and divs cannot come out of Plume's Markdown
dialect, but are neutralised here too in case pandoc's defaults ever change; code blocks lose
their info string (which the typst writer would otherwise copy into its output).

Only block-level functions live here: pandoc then hands Lua nothing but those few blocks, so the
filter costs almost nothing. Inline elements are in sanitize_inlines.lua, used when needed.
]]

local TRUSTED = '\u{E0F3}'
local level = 0
local open = {}  -- the levels the user wrote for the headings open in the current section

function Header(h)
  local first = h.content[1]
  if first and first.t == 'Str' and first.text == TRUSTED then
    level = h.level
    open = {}
    h.content:remove(1)
    if h.content[1] and h.content[1].t == 'Space' then h.content:remove(1) end
    return h
  end
  while #open > 0 and open[#open] >= h.level do table.remove(open) end
  table.insert(open, h.level)
  h.level = math.min(6, level + #open)
  h.attr = pandoc.Attr()
  return h
end

function CodeBlock(code) return pandoc.CodeBlock(code.text) end
function RawBlock(raw) return pandoc.CodeBlock(raw.text) end
function Div(div) return div.content end

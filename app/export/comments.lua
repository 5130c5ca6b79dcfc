--[==[
Plume's pandoc filter for open comments as Word comments, in the one pandoc run that writes
the .docx (no JSON round trip through Python).

comments.py marks each quoted passage of a section body with two inline images whose
description is a private-use character (U+E0F1 start, U+E0F2 end) around the comment's id,
`![<U+E0F1>7<U+E0F1>]()`, and writes, in Plume's own (trusted) file right after the section
heading, one paragraph U+E0F4 <hex of JSON> U+E0F4 holding the section's comments:
[{"id", "author", "date", "lines": [[word, ...], ...], "proposed": [[...]], "label": [...]}].
User text cannot hold these characters (Plume strips them), so neither can be forged; the
comment's words reach the document as Str elements built here, never parsed: a comment is
text, whatever it says. An image is an element of its own, and only the few top-level blocks
whose text shows a marker are walked: walking every word would cost a fifth of the conversion.

In one pass over the top-level blocks: read and remove each paragraph of comments; in the
blocks after it, turn each marker into pandoc's comment-start / comment-end span and drop those
that fell into code. Then anchor on the section heading each comment whose start and end did
not both land in the text in that order (a comment on the whole section has no marker), after
removing its lone span and the markers that fell into link targets: a comment is never lost.
The Lua twin of comments.place and anchor_on_heading, which the redline path uses on the AST
it builds in Python.
]==]

local MARK, NOTES = '\u{E0F0}', '\u{E0F4}'
local START = '\u{E0F1}'
local ANY_MARKER = '\xEE\x83[\xB1\xB2]'
-- A marker's description, as bytes: U+E0F1 or U+E0F2 in UTF-8, the id, the same character.
local MARKER = '^(\xEE\x83[\xB1\xB2])(%d+)%1$'
-- A marker as the text of its Markdown, where it lands in code or a link target.
local MARKER_TEXT = '!%[\xEE\x83[\xB1\xB2]%d+\xEE\x83[\xB1\xB2]%]%(%)'

local notes = {}     -- comment id (string) -> its note
local sections = {}  -- {heading = index of its heading, ids = {...}, first, last = block indexes}
local first = {}     -- "s<id>" / "e<id>" -> the position of that marker among all markers
local seen = 0

local function words(lines)
  local inlines = pandoc.Inlines{}
  for i, line in ipairs(lines) do
    if i > 1 then inlines:insert(pandoc.LineBreak()) end
    for j, word in ipairs(line) do
      if j > 1 then inlines:insert(pandoc.Space()) end
      inlines:insert(pandoc.Str(word))
    end
  end
  return inlines
end

local function start_span(note)
  local inlines = words(note.lines)
  if note.proposed ~= nil then
    inlines:insert(pandoc.LineBreak())
    inlines:insert(pandoc.Strong(words({note.label})))
    inlines:insert(pandoc.Space())
    inlines:extend(words(note.proposed))
  end
  local attr = pandoc.Attr('', {'comment-start'},
    {{'id', note.id}, {'author', note.author}, {'date', note.date}})
  return pandoc.Span(inlines, attr)
end

local function end_span(note)
  return pandoc.Span({}, pandoc.Attr('', {'comment-end'}, {{'id', note.id}}))
end

-- Each pair of hex digits (as Python's bytes.hex writes them) -> its byte: a table, which
-- gsub looks up without calling Lua for each byte (a third of the time).
local BYTE = {}
for i = 0, 255 do BYTE[string.format('%02x', i)] = string.char(i) end

local function unhex(hex)
  return (hex:gsub('..', BYTE))
end

local function strip(text) return (text:gsub(MARKER_TEXT, '')) end

-- A marker: its span (the first of each kind and id counts); anything else: left alone.
local function marker(image)
  local caption = image.caption
  if #caption ~= 1 or caption[1].t ~= 'Str' then return nil end
  local kind, id = caption[1].text:match(MARKER)
  local note = id and notes[id]
  if not note then return nil end
  seen = seen + 1
  local name = (kind == START and 's' or 'e') .. id
  if first[name] == nil then first[name] = seen end
  return kind == START and start_span(note) or end_span(note)
end

local markers = {
  Image = marker,
  Code = function(code) code.text = strip(code.text); return code end,
  CodeBlock = function(code) code.text = strip(code.text); return code end,
}

-- Where a marker landed in a link target or a code block (which no block's plain text shows):
-- dropped.
local hidden = {
  CodeBlock = markers.CodeBlock,
  Link = function(link)
    if not link.target:find(ANY_MARKER) then return nil end
    link.target, link.title = strip(link.target), strip(link.title)
    return link:walk{Str = function(s) s.text = strip(s.text); return s end}
  end,
}

-- A lone start or end (its other half fell into code or a link target, or came first):
-- removed from the text, since the heading holds the comment.
local function without(lone)
  return {Span = function(span)
    local class = span.classes[1]
    if (class == 'comment-start' or class == 'comment-end') and lone[span.attributes.id] then
      return {}
    end
  end}
end

function Pandoc(doc)
  local out = pandoc.Blocks{}
  local section = nil
  for _, block in ipairs(doc.blocks) do
    local text = pandoc.utils.stringify(block)
    if block.t == 'Para' and text:sub(1, #NOTES) == NOTES and text:sub(-#NOTES) == NOTES then
      -- (1) A section's comments: read, and the paragraph removed.
      section = {ids = {}, first = #out + 1}
      if #out > 0 and out[#out].t == 'Header' then section.heading = #out end
      for _, note in ipairs(pandoc.json.decode(unhex(text:sub(#NOTES + 1, -#NOTES - 1)), false)) do
        notes[note.id] = note
        table.insert(section.ids, note.id)
      end
      table.insert(sections, section)
    else
      if text:sub(1, #MARK) == MARK then
        section = nil  -- the next part
      elseif section ~= nil then
        section.last = #out + 1
        -- (2) Only the blocks that show a marker are walked (one pass over the words would
        -- cost a fifth of the conversion).
        if text:find(ANY_MARKER) then block = block:walk(markers) end
      end
      out:insert(block)
    end
  end
  -- (3) The comments that found no place in the text go on the heading.
  for _, section in ipairs(sections) do
    local unplaced, lone, any_lone = {}, {}, false
    for _, id in ipairs(section.ids) do
      local s, e = first['s' .. id], first['e' .. id]
      if not (s and e and s < e) then
        table.insert(unplaced, id)
        if notes[id].marked then lone[id], any_lone = true, true end
      end
    end
    if any_lone and section.last then
      for index = section.first, section.last do
        -- (As a list: a block's walk leaves the block itself alone.)
        out[index] = pandoc.Blocks{out[index]}:walk(hidden):walk(without(lone))[1]
      end
    end
    local heading = section.heading and out[section.heading]
    if #unplaced > 0 and heading then
      local content = pandoc.Inlines{}
      for _, id in ipairs(unplaced) do content:insert(start_span(notes[id])) end
      content:extend(heading.content)
      for k = #unplaced, 1, -1 do content:insert(end_span(notes[unplaced[k]])) end
      heading.content = content
      out[section.heading] = heading
    end
  end
  doc.blocks = out
  return doc
end

--[[
Numbered paragraphs, as UN documents have them: the paper's body paragraphs are numbered 1, 2,
3... across its sections. Used only when the paper asks for it, on the run that writes the
export (after sanitize_blocks.lua).

What is numbered: each top-level paragraph of a section (the parts whose marker is s0, s1...).
What is not: headings, lists (in UN practice a list is the sub-paragraphs (a), (b)... of the
numbered paragraph that introduces it), block quotes, tables, code, and everything outside the
sections: the cover, the contents, the disclaimer, the acronyms, the sign-off page, the annexes,
the sections a redline shows as deleted, and a paragraph a redline shows as wholly deleted: it is
not in the version, so it takes no number (the paragraphs after it keep the numbers they have in
the version).

A paragraph gets a position-free marker, never a number, so that a section's converted piece
stays the same wherever the section is (and stays cached): the Word export replaces the markers
by 1., 2., 3... in document order when it puts the pieces together (docx.py), the PDF's template
counts them (template.typ, plume-number).
]]

local MARK = '\u{E0F0}'
local NUMBER = '\u{E0F4}'

local function marker_name(block)
  if block.t ~= 'Para' or #block.content ~= 1 or block.content[1].t ~= 'Str' then return nil end
  local text = block.content[1].text
  local size = #MARK
  if #text > 2 * size and text:sub(1, size) == MARK and text:sub(-size) == MARK then
    return text:sub(size + 1, -size - 1)
  end
  return nil
end

local function is_comment(inline)
  return inline.t == 'Span'
    and (inline.classes:includes('comment-start') or inline.classes:includes('comment-end'))
end

-- A paragraph whose text is all inside tracked deletions (redline.py marks a deleted paragraph
-- as one deletion span; comment marks may sit beside it).
local function wholly_deleted(para)
  local deleted = false
  for _, inline in ipairs(para.content) do
    if inline.t == 'Span' and inline.classes:includes('deletion') then
      deleted = true
    elseif not is_comment(inline) then
      return false
    end
  end
  return deleted
end

local function number()
  if FORMAT == 'typst' then return pandoc.RawInline('typst', '#plume-number()') end
  if FORMAT == 'docx' or FORMAT == 'openxml' then
    -- One run in its own character style, which the import of a returned file leaves out.
    return pandoc.RawInline('openxml',
      '<w:r><w:rPr><w:rStyle w:val="PlumeParagraphNumber"/></w:rPr><w:t>' .. NUMBER
      .. '</w:t><w:tab/></w:r>')
  end
  return pandoc.Str(NUMBER)
end

function Pandoc(doc)
  local numbering = false
  local blocks = pandoc.Blocks({})
  for _, block in ipairs(doc.blocks) do
    local name = marker_name(block)
    if name then
      numbering = name:match('^s%d+$') ~= nil
      blocks:insert(block)
    elseif numbering and block.t == 'Para' and not wholly_deleted(block) then
      local content = pandoc.Inlines({number()})
      content:extend(block.content)
      blocks:insert(pandoc.Para(content))
    else
      blocks:insert(block)
    end
  end
  doc.blocks = blocks
  return doc
end

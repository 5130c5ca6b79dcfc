/* Plume's progressive enhancement. Every action works without this file.
 *
 * On a section page: select a passage of the text and a "Comment on this passage" button
 * appears beside it; it fills the comment form's quote fields (the exact text, with a little
 * text before and after it, as in the W3C TextQuoteSelector) and moves to the form, ready
 * to type the comment. Without JavaScript, the passage is typed (or pasted) by hand.
 */
(function () {
  "use strict";

  var CONTEXT = 32; // characters of prefix and suffix kept around a quote

  function visibleText(container) {
    // The text a reader sees, without the numbered markers Plume adds beside passages.
    var walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        return node.parentElement.closest(".quote-ref") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      }
    });
    var parts = [];
    var nodes = [];
    var node;
    while ((node = walker.nextNode())) {
      nodes.push({ node: node, start: parts.join("").length });
      parts.push(node.nodeValue);
    }
    return { text: parts.join(""), nodes: nodes };
  }

  function offsetOf(index, container, node, offset) {
    // The position of (node, offset) in the visible text.
    if (node.nodeType !== Node.TEXT_NODE) {
      var range = document.createRange();
      range.setStart(container, 0);
      range.setEnd(node, offset);
      var fragment = range.cloneContents();
      fragment.querySelectorAll(".quote-ref").forEach(function (ref) { ref.remove(); });
      return fragment.textContent.length;
    }
    for (var i = 0; i < index.nodes.length; i++) {
      if (index.nodes[i].node === node) {
        return index.nodes[i].start + offset;
      }
    }
    return -1;
  }

  function selectedQuote(container) {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
      return null;
    }
    var range = selection.getRangeAt(0);
    if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) {
      return null;
    }
    var index = visibleText(container);
    var start = offsetOf(index, container, range.startContainer, range.startOffset);
    var end = offsetOf(index, container, range.endContainer, range.endOffset);
    if (start < 0 || end <= start) {
      return null;
    }
    // A selection often takes the space around a word with it: leave that to the context.
    while (start < end && /\s/.test(index.text.charAt(start))) {
      start++;
    }
    while (end > start && /\s/.test(index.text.charAt(end - 1))) {
      end--;
    }
    if (end <= start) {
      return null;
    }
    var exact = index.text.slice(start, end);
    return {
      exact: exact,
      prefix: index.text.slice(Math.max(0, start - CONTEXT), start),
      suffix: index.text.slice(end, end + CONTEXT),
      rect: range.getBoundingClientRect()
    };
  }

  function enhanceCommentForm() {
    var text = document.getElementById("section-text");
    var form = document.getElementById("comment-form");
    if (!text || !form) {
      return;
    }
    var fields = {
      exact: form.querySelector("[name=quote_exact]"),
      prefix: form.querySelector("[name=quote_prefix]"),
      suffix: form.querySelector("[name=quote_suffix]")
    };
    var body = form.querySelector("[name=body]");

    // A passage typed or changed by hand has no known context: drop the selection's.
    fields.exact.addEventListener("input", function () {
      fields.prefix.value = "";
      fields.suffix.value = "";
    });

    var button = document.createElement("button");
    button.type = "button";
    button.className = "button primary small selection-button";
    button.textContent = form.getAttribute("data-select-label");
    document.body.appendChild(button);

    var pending = null;

    function hide() {
      button.classList.remove("visible");
      pending = null;
    }

    document.addEventListener("selectionchange", function () {
      var quote = selectedQuote(text);
      if (!quote) {
        // Keep the button while the pointer moves onto it; hide it once the selection goes.
        if (!button.matches(":hover, :focus")) {
          hide();
        }
        return;
      }
      pending = quote;
      button.style.top = window.scrollY + quote.rect.bottom + 6 + "px";
      button.style.left = window.scrollX + Math.max(8, quote.rect.left) + "px";
      button.classList.add("visible");
    });

    button.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep the selection while clicking
    });

    button.addEventListener("click", function () {
      if (!pending) {
        return;
      }
      fields.exact.value = pending.exact;
      fields.prefix.value = pending.prefix;
      fields.suffix.value = pending.suffix;
      var folded = form.closest("details");
      if (folded) {
        folded.open = true;
      }
      hide();
      form.scrollIntoView({ behavior: "smooth", block: "nearest" });
      body.focus();
    });

    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        hide();
      }
    });
  }

  function highlightOnHover() {
    // Hovering or focusing a comment lights up its passage in the text, and the reverse.
    document.querySelectorAll("[data-comment-id]").forEach(function (item) {
      var id = item.getAttribute("data-comment-id");
      var marks = document.querySelectorAll('mark.quote[data-comments~="' + id + '"]');
      function on() { marks.forEach(function (mark) { mark.classList.add("active"); }); }
      function off() { marks.forEach(function (mark) { mark.classList.remove("active"); }); }
      item.addEventListener("mouseenter", on);
      item.addEventListener("mouseleave", off);
      item.addEventListener("focusin", on);
      item.addEventListener("focusout", off);
    });
  }

  function typing(element) {
    return element && (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));
  }

  function searchKeys() {
    // "/" goes to the search box; on a results page, ↓ and ↑ (or j and k) move from one
    // result to the next, Enter opens it (it is a link), Escape goes back to the box.
    var boxes = document.querySelectorAll("[data-search-box]");
    var box = boxes[boxes.length - 1]; // the results page's own box, else the header's
    var results = Array.prototype.slice.call(document.querySelectorAll("[data-keyboard-list] [data-result]"));
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) {
        return;
      }
      var active = document.activeElement;
      if (event.key === "/" && box && !typing(active)) {
        event.preventDefault();
        box.focus();
        box.select();
        return;
      }
      if (!results.length) {
        return;
      }
      var at = results.indexOf(active);
      var down = event.key === "ArrowDown" || (event.key === "j" && !typing(active));
      var up = event.key === "ArrowUp" || (event.key === "k" && !typing(active));
      // From the box, a result, or nowhere in particular (the page as it loads): the
      // first press goes to the first result.
      var nowhere = !active || active === document.body;
      if (down && (at >= 0 || active === box || nowhere)) {
        event.preventDefault();
        results[Math.min(at + 1, results.length - 1)].focus();
      } else if (up && at >= 0) {
        event.preventDefault();
        (at === 0 && box ? box : results[at - 1]).focus();
      } else if (event.key === "Escape" && at >= 0 && box) {
        box.focus();
      }
    });
  }

  // "@" in a comment or reply box suggests the paper's members; choosing one writes
  // "@Their Name ", which the server reads as a mention. Without this, typing the name works.
  function mentions() {
    var data = document.getElementById("mention-members");
    var list = document.getElementById("mention-list");
    if (!data || !list) return;
    var members = JSON.parse(data.textContent || "[]");
    var active = null, start = -1, choice = 0, shown = [];

    function close() { list.hidden = true; active = null; shown = []; }

    function pick(member) {
      var before = active.value.slice(0, start);
      var after = active.value.slice(active.selectionStart);
      var inserted = "@" + member.name + " ";
      active.value = before + inserted + after;
      var caret = before.length + inserted.length;
      active.setSelectionRange(caret, caret);
      active.focus();
      close();
    }

    function render() {
      list.innerHTML = "";
      shown.forEach(function (member, i) {
        var item = document.createElement("li");
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", i === choice ? "true" : "false");
        item.textContent = member.name + " <" + member.email + ">";
        item.addEventListener("mousedown", function (event) { event.preventDefault(); pick(member); });
        list.appendChild(item);
      });
      var box = active.getBoundingClientRect();
      list.style.top = (window.scrollY + box.bottom) + "px";
      list.style.left = (window.scrollX + box.left) + "px";
      list.hidden = shown.length === 0;
    }

    document.addEventListener("input", function (event) {
      var box = event.target;
      if (!(box instanceof HTMLTextAreaElement) || box.name !== "body") return;
      var before = box.value.slice(0, box.selectionStart);
      var match = /(^|\s)@([^\s@]*)$/.exec(before);
      if (!match) { close(); return; }
      var typed = match[2].toLowerCase();
      active = box;
      start = before.length - match[2].length - 1;
      choice = 0;
      shown = members.filter(function (m) {
        return m.name.toLowerCase().indexOf(typed) !== -1 || m.email.toLowerCase().indexOf(typed) === 0;
      }).slice(0, 8);
      render();
    });
    document.addEventListener("keydown", function (event) {
      if (!active || list.hidden || event.target !== active) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        choice = (choice + (event.key === "ArrowDown" ? 1 : shown.length - 1)) % shown.length;
        render();
        event.preventDefault();
      } else if (event.key === "Enter" || event.key === "Tab") {
        pick(shown[choice]);
        event.preventDefault();
      } else if (event.key === "Escape") {
        close();
      }
    });
    document.addEventListener("focusout", function (event) { if (event.target === active) close(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhanceCommentForm();
    highlightOnHover();
    searchKeys();
    mentions();
  });
})();

-- Driven by Tests/EndToEndTests/EditorTests.swift: nvim --headless -u NONE against a real
-- searchd ($SEARCHD_SOCKET). Runs the plugin's commands and prints what they produced as one
-- JSON line per step; the Swift test checks them.
vim.opt.runtimepath:prepend(vim.env.SEARCHD_NVIM_PLUGIN)
vim.cmd("runtime plugin/searchd.lua")
local searchd = require("searchd")
local out = {}

local function qflist()
  local items = {}
  for _, item in ipairs(vim.fn.getqflist()) do
    table.insert(items, { file = vim.api.nvim_buf_get_name(item.bufnr), lnum = item.lnum, col = item.col, text = item.text })
  end
  return items
end

-- :Search fills the quickfix list and jumps to the first hit
vim.cmd("Search 钱凯港")
out.search = qflist()
out.cursor = { file = vim.api.nvim_buf_get_name(0), pos = vim.api.nvim_win_get_cursor(0),
  text = vim.api.nvim_get_current_line() }

-- :Search! keeps to the current directory
vim.cmd("cd /")
vim.cmd("Search! Boluarte")
out.scoped_root = #vim.fn.getqflist()
vim.cmd("cd " .. vim.fn.fnameescape(vim.env.SEARCHD_NVIM_ELSEWHERE))
vim.cmd("Search! Boluarte")
out.scoped_elsewhere = #vim.fn.getqflist()

-- :SearchPush makes an unsaved buffer searchable
vim.cmd("enew")
vim.api.nvim_buf_set_name(0, vim.env.SEARCHD_NVIM_SCRATCH)
vim.api.nvim_buf_set_lines(0, 0, -1, false, { "Notes", "The vicuña grazes near Chancay." })
vim.cmd("SearchPush")
vim.cmd("Search vicuña")
out.pushed = qflist()

-- the plain picker (no Telescope here): vim.ui.input then vim.ui.select, answered by the test
vim.ui.input = function(_, on_confirm) on_confirm("Zegarra") end
vim.ui.select = function(items, opts, on_choice)
  out.picker = { count = #items, first = opts.format_item(items[1]) }
  on_choice(items[1])
end
vim.cmd("SearchLive")
out.picked = { file = vim.api.nvim_buf_get_name(0), pos = vim.api.nvim_win_get_cursor(0) }

-- searchd not running: one clear message
searchd.config.socket = "/nonexistent/searchd.sock"
local _, err = searchd.search("x")
out.not_running = err and err.message

io.stdout:write(vim.fn.json_encode(out) .. "\n")
vim.cmd("qa!")

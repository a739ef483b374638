-- searchd for Neovim (0.7 and later): talks to searchd's Unix socket directly with vim.loop.
-- One JSON-RPC request per line (Docs/PROTOCOL.md); no external program is started.
local M = {}
local uv = vim.loop

M.config = {
  socket = nil,      -- default: $SEARCHD_SOCKET, else where searchd listens by default
  limit = 50,        -- hits per search
  timeout = 5000,    -- milliseconds to wait for an answer
  auto_push = false, -- push unsaved buffers as they change (see M.push)
}

local encode = vim.json and vim.json.encode or vim.fn.json_encode
local decode = vim.json and vim.json.decode or vim.fn.json_decode

function M.setup(opts)
  M.config = vim.tbl_extend("force", M.config, opts or {})
  if M.config.auto_push then
    vim.api.nvim_create_autocmd({ "TextChanged", "InsertLeave" }, {
      group = vim.api.nvim_create_augroup("searchd_push", { clear = true }),
      callback = function(args) M.push(args.buf, { quiet = true, async = true }) end,
    })
  end
end

-- The socket `search` and searchd use by default (SearchProtocol/DefaultPaths.swift).
function M.socket()
  if M.config.socket then return M.config.socket end
  local env = vim.env.SEARCHD_SOCKET
  if env and env ~= "" then return env end
  local run = vim.env.XDG_RUNTIME_DIR
  if run and run:sub(1, 1) == "/" then return run .. "/searchd.sock" end
  local uid = uv.getuid and uv.getuid() or tonumber(vim.fn.system("id -u"))
  local st = uv.fs_stat("/run/user/" .. uid)
  if st and st.type == "directory" and st.uid == uid then return "/run/user/" .. uid .. "/searchd.sock" end
  local tmp = vim.env.TMPDIR
  if not (tmp and tmp:sub(1, 1) == "/") then tmp = "/tmp" end
  return tmp .. "/searchd-" .. uid .. "/searchd.sock"
end

-- Sends one request; `done(result, err)` runs on the main loop. err = {code, message}.
function M.request_async(method, params, done)
  local path = M.socket()
  local pipe = uv.new_pipe(false)
  local buffer = ""
  local finished = false
  local function finish(line, err)
    if finished then return end
    finished = true
    pipe:read_stop()
    pipe:close()
    vim.schedule(function()
      if err then return done(nil, err) end
      local ok, response = pcall(decode, line)
      if not ok or type(response) ~= "table" then return done(nil, { code = -32700, message = "unreadable answer from searchd" }) end
      if response.error and response.error ~= vim.NIL then return done(nil, response.error) end
      done(response.result, nil)
    end)
  end
  pipe:connect(path, function(cerr)
    if cerr then
      return finish(nil, { code = 0, message = "searchd is not running (no socket at " .. path .. "): start it with `searchd`" })
    end
    pipe:write(encode({ jsonrpc = "2.0", id = 1, method = method, params = params or vim.empty_dict() }) .. "\n")
    pipe:read_start(function(rerr, chunk)
      if rerr then return finish(nil, { code = 0, message = rerr }) end
      if not chunk then return finish(nil, { code = 0, message = "searchd closed the connection" }) end
      buffer = buffer .. chunk
      local nl = buffer:find("\n", 1, true)
      if nl then finish(buffer:sub(1, nl - 1)) end
    end)
  end)
end

-- The same, waiting for the answer (up to config.timeout). Returns result, err.
function M.request(method, params)
  local result, err, answered = nil, nil, false
  M.request_async(method, params, function(r, e)
    result, err, answered = r, e, true
  end)
  if not vim.wait(M.config.timeout, function() return answered end, 5) then
    return nil, { code = 0, message = "searchd did not answer within " .. M.config.timeout .. " ms" }
  end
  return result, err
end

-- A hit's file: its path, or the file a pushed buffer outside the sources stands for.
local function filename(hit)
  if hit.path and hit.path ~= vim.NIL then return hit.path end
  if type(hit.id) == "string" and hit.id:sub(1, 5) == "nvim:" then return hit.id:sub(6) end
  return nil
end

local function one_line(s)
  return ((s or ""):gsub("%s+", " "))
end

-- Searches; `opts.dir` keeps the hits under a directory (path: filter). Returns hits, err.
function M.search(query, opts)
  opts = opts or {}
  if opts.dir then
    local dir = vim.fn.fnamemodify(opts.dir, ":p"):gsub("/$", "")
    if dir ~= "" then query = "(" .. query .. ') path:"' .. dir .. '"' end
  end
  local result, err = M.request("search", { query = query, limit = opts.limit or M.config.limit })
  if err then return nil, err end
  return result.hits, nil
end

-- Quickfix items: file, line and column of each hit's first match, title and snippet.
function M.quickfix_items(hits)
  local items = {}
  for _, hit in ipairs(hits) do
    local file = filename(hit)
    if file then
      local line = (hit.line ~= vim.NIL and hit.line) or 1
      local col = (hit.column ~= vim.NIL and hit.column) or 1
      local snippet = hit.snippet ~= vim.NIL and hit.snippet or ""
      table.insert(items, { filename = file, lnum = line, col = col, text = one_line(hit.title) .. " │ " .. one_line(snippet) })
    end
  end
  return items
end

-- :Search {query} fills the quickfix list (:Search! keeps to the current directory).
function M.quickfix(query, opts)
  local hits, err = M.search(query, opts)
  if err then
    vim.notify("searchd: " .. err.message, vim.log.levels.ERROR)
    return
  end
  vim.fn.setqflist({}, " ", { title = "searchd: " .. query, items = M.quickfix_items(hits) })
  if #hits == 0 then
    vim.notify("searchd: no hits for " .. query, vim.log.levels.WARN)
  else
    vim.cmd("copen")
    vim.cmd("cfirst")
  end
end

local function jump(hit)
  local file = filename(hit)
  if not file then return end
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local line = (hit.line ~= vim.NIL and hit.line) or 1
  local col = (hit.column ~= vim.NIL and hit.column) or 1
  pcall(vim.api.nvim_win_set_cursor, 0, { line, col - 1 })
end

-- A live picker: Telescope's when it is installed (searchd answers each keystroke), else
-- vim.ui.input then vim.ui.select (which pickers like dressing.nvim or fzf-lua restyle).
function M.pick(opts)
  opts = opts or {}
  local ok = pcall(require, "telescope.pickers")
  if ok then return M.telescope(opts) end
  vim.ui.input({ prompt = "searchd: " }, function(query)
    if not query or query == "" then return end
    local hits, err = M.search(query, opts)
    if err then return vim.notify("searchd: " .. err.message, vim.log.levels.ERROR) end
    vim.ui.select(hits, {
      prompt = "searchd: " .. query,
      format_item = function(hit) return one_line(hit.title) .. " — " .. (filename(hit) or hit.id) end,
    }, function(hit) if hit then jump(hit) end end)
  end)
end

function M.telescope(opts)
  local pickers = require("telescope.pickers")
  local finders = require("telescope.finders")
  local conf = require("telescope.config").values
  local sorters = require("telescope.sorters")
  pickers.new(opts, {
    prompt_title = "searchd",
    finder = finders.new_dynamic({
      fn = function(prompt)
        if not prompt or prompt == "" then return {} end
        return M.search(prompt, opts) or {}
      end,
      entry_maker = function(hit)
        local file = filename(hit)
        return {
          value = hit,
          display = one_line(hit.title) .. "  " .. (file and vim.fn.fnamemodify(file, ":~:.") or hit.id),
          ordinal = hit.title,
          filename = file,
          lnum = hit.line ~= vim.NIL and hit.line or 1,
          col = hit.column ~= vim.NIL and hit.column or 1,
        }
      end,
    }),
    -- searchd ranks; the picker keeps its order
    sorter = sorters.empty and sorters.empty() or conf.generic_sorter(opts),
    previewer = conf.grep_previewer(opts),
  }):find()
end

-- Pushes a buffer's text, saved or not, so that it is searchable at once. A file under
-- searchd's sources replaces that file's document (until the file is saved and read again);
-- another buffer is pushed as id "nvim:<path>".
function M.push(bufnr, opts)
  opts = opts or {}
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local path = vim.api.nvim_buf_get_name(bufnr)
  if path == "" or vim.bo[bufnr].buftype ~= "" then return end
  local text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n")
  local title = vim.fn.fnamemodify(path, ":t")
  local function report(result, err)
    if err then
      if not opts.quiet then vim.notify("searchd: " .. err.message, vim.log.levels.ERROR) end
    elseif not opts.quiet then
      vim.notify("searchd: pushed " .. result.id)
    end
  end
  local function send(params, done)
    if opts.async then return M.request_async("add", params, done) end
    done(M.request("add", params))
  end
  send({ text = text, title = title, fields = { path = path } }, function(result, err)
    if err and err.code == -32005 then -- not under the sources: push by id
      return send({ id = "nvim:" .. path, text = text, title = title }, report)
    end
    report(result, err)
  end)
end

return M

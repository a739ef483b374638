-- Commands of the searchd plugin (lua/searchd/init.lua).
if vim.g.loaded_searchd then return end
vim.g.loaded_searchd = true

-- :Search {query}   quickfix list of the hits; :Search! {query} only under the current directory
vim.api.nvim_create_user_command("Search", function(args)
  require("searchd").quickfix(args.args, { dir = args.bang and vim.fn.getcwd() or nil })
end, { nargs = "+", bang = true, desc = "searchd: search into the quickfix list" })

-- :SearchLive       live picker (Telescope when installed); :SearchLive! under the current directory
vim.api.nvim_create_user_command("SearchLive", function(args)
  require("searchd").pick({ dir = args.bang and vim.fn.getcwd() or nil })
end, { nargs = 0, bang = true, desc = "searchd: live search picker" })

-- :SearchPush       make the current buffer's unsaved text searchable now
vim.api.nvim_create_user_command("SearchPush", function()
  require("searchd").push(0)
end, { nargs = 0, desc = "searchd: push the buffer's text" })

--[[
Slurm job_submit plugin (JobSubmitPlugins=lua): asks the Wattprint collector for the budget verdict
on a job that carries a run spec, and warns or refuses. Install it beside slurm.conf as
job_submit.lua; see docs/deploy.md, "Admission at submission".

A job opts in through its comment:   sbatch -A vision --comment "wattprint-spec=/home/alice/run.yaml" …
(the spec: docs/spec-format.md, YAML or JSON, an absolute path the submitting user owns or anyone may
read). Its account, through the Slurm team mapping, is the team whose budgets are checked.

slurmctld runs this while it holds its locks: the check is bounded (WATTPRINT_SLURM_ADMIT_TIMEOUT_MS,
2000 ms, plus Node's start; `timeout` kills it 3 s past that), and a collector that is away, slow or
refusing never holds a job back: the job is accepted and the user told why.

Configuration: /etc/wattprint/slurm.env (or WATTPRINT_SLURM_ENV in slurmctld's environment), the file
of the prolog and epilog: WATTPRINT_URL, WATTPRINT_TOKEN_FILE (a scheduler token),
WATTPRINT_SLURM_ADMISSION=warn|refuse (default warn: a refused job is still accepted, with the line),
WATTPRINT_SLURM_TEAMS, WATTPRINT_SLURM_NODE, WATTPRINT_SLURM_PROGRAM.
--]]

local ENV_FILE = os.getenv("WATTPRINT_SLURM_ENV") or "/etc/wattprint/slurm.env"
local DEFAULT_PROGRAM = "/opt/wattprint/apps/slurm/bin/wattprint-slurm.js"

-- The env file's NAME=value lines (quotes around a value taken off), read at every submission that
-- carries a spec, so a change needs no reconfigure.
local function read_env_file(path)
  local values = {}
  local f = io.open(path, "r")
  if f == nil then return values end
  for line in f:lines() do
    local name, value = string.match(line, "^%s*([A-Z_]+)=(.*)$")
    if name ~= nil then
      value = string.gsub(value, "^\"(.*)\"$", "%1")
      value = string.gsub(value, "^'(.*)'$", "%1")
      values[name] = value
    end
  end
  f:close()
  return values
end

local function shell_quote(s)
  return "'" .. string.gsub(s, "'", "'\\''") .. "'"
end

function slurm_job_submit(job_desc, part_list, submit_uid)
  local spec = nil
  if job_desc.comment ~= nil then
    spec = string.match(" " .. job_desc.comment, "%swattprint%-spec=(%S+)")
  end
  if spec == nil then return slurm.SUCCESS end

  local account = job_desc.account or job_desc.default_account
  if account == nil or account == "" then
    slurm.log_user("%s", "wattprint: budget check skipped, job accepted: the job has no account (-A) to find its team by")
    return slurm.SUCCESS
  end

  local conf = read_env_file(ENV_FILE)
  local node = conf["WATTPRINT_SLURM_NODE"] or "node"
  local program = conf["WATTPRINT_SLURM_PROGRAM"] or DEFAULT_PROGRAM
  local budget_ms = tonumber(conf["WATTPRINT_SLURM_ADMIT_TIMEOUT_MS"] or "2000") or 2000
  local hard_s = math.floor(budget_ms / 1000) + 3

  local command = "PATH=\"${PATH:+$PATH:}/usr/local/bin:/usr/bin:/bin\" WATTPRINT_SLURM_ENV=" .. shell_quote(ENV_FILE) ..
    " timeout -k 1 " .. hard_s .. " " .. shell_quote(node) .. " " .. shell_quote(program) ..
    " admit --spec " .. shell_quote(spec) .. " --account " .. shell_quote(account) ..
    " --uid " .. tostring(submit_uid) .. " 2>/dev/null"
  local pipe = io.popen(command, "r")
  local out = ""
  if pipe ~= nil then
    out = pipe:read("*a") or ""
    pipe:close()
  end

  local action, line = string.match(out, "^(%a+)\t([^\n]*)")
  if action == nil then
    slurm.log_info("wattprint job_submit: no verdict (collector check failed or timed out): %s", out)
    slurm.log_user("%s", "wattprint: budget check skipped, job accepted: the check gave no answer in time")
    return slurm.SUCCESS
  end
  slurm.log_info("wattprint job_submit: uid %d account %s: %s %s", submit_uid, account, action, line)
  if action == "refuse" then
    slurm.log_user("%s", line)
    return slurm.ERROR
  end
  if action == "warn" then slurm.log_user("%s", line) end
  return slurm.SUCCESS
end

function slurm_job_modify(job_desc, job_rec, part_list, modify_uid)
  return slurm.SUCCESS
end

slurm.log_info("wattprint job_submit.lua loaded (env file %s)", ENV_FILE)
return slurm.SUCCESS

<#
.SYNOPSIS
  Build the Windows bundle and MSI of Roundtable, sign them, and write the SBOM and SHA256SUMS.

.DESCRIPTION
  Run from any folder on a Windows x64 machine with:
    - Python 3.11 (the "py" launcher, or -Python C:\path\python.exe);
    - WiX Toolset 3.14 (candle.exe and light.exe on PATH, or -WixBin);
    - signtool.exe (Windows SDK) on PATH, and the code-signing certificate in the certificate store
      (its SHA-1 thumbprint in -Thumbprint or $env:ROUNDTABLE_SIGN_THUMBPRINT). -NoSign skips signing
      (a test build: Windows SmartScreen will warn about it).

  Steps (each stops the script if it fails):
    1. .venv-build: the application's dependencies and PyInstaller, pinned by constraints.txt;
       .venv-tools: CycloneDX.
    2. resources\THIRD-PARTY-LICENSES.txt regenerated; build\version_info.txt (the .exe version).
    3. PyInstaller: dist\Roundtable\ with roundtable.exe (console) and roundtable-gui.exe (windowed).
    4. signtool signs both executables (SHA-256, RFC 3161 timestamp).
    5. The frozen roundtable.exe is run: --version, init, demo, stats against a throwaway store.
    6. tools\wix.py harvests the bundle into build\wix\files.wxs; candle + light build
       dist\Roundtable-VERSION-x64.msi from installer\windows\roundtable.wxs.
    7. signtool signs the MSI.
    8. dist\roundtable-VERSION.cdx.json (CycloneDX SBOM) and dist\SHA256SUMS.

  Verify a signed file with: signtool verify /pa /v dist\Roundtable-VERSION-x64.msi
#>
param(
  [string]$Python = "",
  [string]$WixBin = "",
  [string]$Thumbprint = $env:ROUNDTABLE_SIGN_THUMBPRINT,
  [string]$TimestampUrl = "http://timestamp.digicert.com",
  [switch]$NoSign
)
$ErrorActionPreference = "Stop"
Set-Location (Resolve-Path (Join-Path $PSScriptRoot "..\.."))

function Invoke-Step([string]$What, [scriptblock]$Block) {
  Write-Host "== $What"
  & $Block
  if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)" }
}

function Invoke-Sign([string[]]$Files) {
  if ($NoSign) { Write-Host "   not signed (-NoSign): $($Files -join ', ')"; return }
  if (-not $Thumbprint) { throw "No signing certificate: give -Thumbprint, set ROUNDTABLE_SIGN_THUMBPRINT, or use -NoSign" }
  Invoke-Step "sign $($Files -join ', ')" {
    signtool sign /sha1 $Thumbprint /fd SHA256 /tr $TimestampUrl /td SHA256 /d "Roundtable" @Files
  }
  Invoke-Step "verify the signatures" { signtool verify /pa @Files }
}

if (-not $Python) {
  $Python = (& py -3.11 -c "import sys; print(sys.executable)")
  if ($LASTEXITCODE -ne 0) { throw "Python 3.11 is needed (py -3.11 was not found): install it from python.org" }
}
if ($WixBin) { $env:PATH = "$WixBin;$env:PATH" }
foreach ($tool in @("candle.exe", "light.exe")) {
  if (-not (Get-Command $tool -ErrorAction SilentlyContinue)) { throw "$tool not found: install WiX Toolset 3.14 or give -WixBin" }
}
if (-not $NoSign -and -not (Get-Command signtool.exe -ErrorAction SilentlyContinue)) {
  throw "signtool.exe not found: install the Windows SDK signing tools, or use -NoSign"
}

$Build = ".venv-build\Scripts\python.exe"
$Tools = ".venv-tools\Scripts"
Invoke-Step "build venv" { & $Python -m venv .venv-build }
Invoke-Step "build venv: packages" { & $Build -m pip install --quiet --upgrade pip }
Invoke-Step "build venv: pinned packages" { & $Build -m pip install --quiet -c constraints.txt -e . pyinstaller }
Invoke-Step "tools venv" { & $Python -m venv .venv-tools }
Invoke-Step "tools venv: CycloneDX" { & "$Tools\python.exe" -m pip install --quiet -c constraints.txt cyclonedx-bom }

$Version = (& $Build -m tools.wix version).Trim()
Invoke-Step "licences" { & $Build -m tools.licenses }
Invoke-Step "version resource" { & $Build -m tools.wix versioninfo }
Invoke-Step "PyInstaller bundle" {
  & $Build -m PyInstaller --noconfirm --distpath dist --workpath build\pyinstaller installer\roundtable.spec
}
Invoke-Sign @("dist\Roundtable\roundtable.exe", "dist\Roundtable\roundtable-gui.exe")

$Smoke = Join-Path $env:TEMP ("roundtable-smoke-" + [guid]::NewGuid())
$env:ROUNDTABLE_DATA_DIR = $Smoke
$env:ROUNDTABLE_LOG_DIR = "$Smoke\log"
$env:ROUNDTABLE_STORE = "$Smoke\panel.rtdb"
$env:ROUNDTABLE_PASSPHRASE = "build smoke test passphrase, not a secret"
$env:QT_QPA_PLATFORM = "offscreen"
$Exe = "dist\Roundtable\roundtable.exe"
Invoke-Step "frozen --version" { & $Exe --version }
Invoke-Step "frozen init" { & $Exe init --name "Ann Coordinator" --agency "Northshire Council" --role coordinator --panel "Northshire panel" | Out-Null }
Invoke-Step "frozen demo" { & $Exe demo --cases 20 }
Invoke-Step "frozen stats" { & $Exe stats --from 2025-04-01 --to 2026-03-31 --out "$Smoke\stats.xlsx" }
Remove-Item -Recurse -Force $Smoke
foreach ($name in @("ROUNDTABLE_DATA_DIR", "ROUNDTABLE_LOG_DIR", "ROUNDTABLE_STORE", "ROUNDTABLE_PASSPHRASE", "QT_QPA_PLATFORM")) {
  Remove-Item "Env:$name"
}

Invoke-Step "harvest the bundle" { & $Build -m tools.wix harvest }
$Msi = "dist\Roundtable-$Version-x64.msi"
Invoke-Step "candle" {
  candle.exe -nologo -arch x64 "-dVersion=$Version" "-dSourceDir=dist\Roundtable" `
    "-dIconFile=resources\icons\roundtable.ico" -out build\wix\ installer\windows\roundtable.wxs build\wix\files.wxs
}
Invoke-Step "light" { light.exe -nologo -out $Msi build\wix\roundtable.wixobj build\wix\files.wixobj }
Invoke-Sign @($Msi)

Invoke-Step "SBOM and SHA256SUMS" { & $Build -m tools.release --cyclonedx "$Tools\cyclonedx-py.exe" }
Write-Host "Built $Msi"

# Checks a Lookbook setup program the way a user would meet it: installs it silently into a
# scratch folder, checks the files and the Start menu entry, runs both programs with a PATH
# that has neither Qt nor vcpkg nor the build (so every DLL must come from the installation),
# indexes and queries two test images with the installed model, then uninstalls.
#
#   pwsh packaging/windows/smoke-test.ps1 -Installer dist\Lookbook-0.1.0-windows-x64.exe
#
# Exit code 0 when all is well; otherwise the first failure is thrown with its reason.
param(
    [Parameter(Mandatory = $true)] [string] $Installer,
    [string] $InstallDir = (Join-Path ([IO.Path]::GetTempPath()) 'Lookbook-smoke'),
    [string] $Images = (Join-Path $PSScriptRoot '..\..\tests\data\images')
)
$ErrorActionPreference = 'Stop'

# Runs a program with its output captured (so that lookbook.exe, a GUI program, prints
# --version instead of showing a message box) and a time limit (a missing DLL can make
# Windows show a dialog and wait).
function Invoke-Program([string] $Exe, [string[]] $Arguments, [int] $TimeoutSeconds = 300) {
    $quoted = $Arguments | ForEach-Object { if ($_ -match '\s') { "`"$_`"" } else { $_ } }
    $out = (New-TemporaryFile).FullName
    $err = (New-TemporaryFile).FullName
    $p = Start-Process -FilePath $Exe -ArgumentList $quoted -NoNewWindow -PassThru `
        -RedirectStandardOutput $out -RedirectStandardError $err
    $null = $p.Handle   # keeps the exit code readable after the process ends
    if (-not $p.WaitForExit($TimeoutSeconds * 1000)) {
        $p.Kill()
        throw "$Exe $Arguments did not finish within $TimeoutSeconds s"
    }
    $text = "$(Get-Content -Raw $out)$(Get-Content -Raw $err)"
    Write-Host "> $Exe $Arguments"
    Write-Host $text
    if ($p.ExitCode -ne 0) { throw "$Exe $Arguments exited with code $($p.ExitCode)" }
    return $text
}

$Installer = (Resolve-Path $Installer).Path
if (Test-Path $InstallDir) { Remove-Item -Recurse -Force $InstallDir }

# NSIS: /S silent; /D= the folder, last and unquoted.
Write-Host "Installing $Installer into $InstallDir"
$setup = Start-Process -FilePath $Installer -ArgumentList '/S', "/D=$InstallDir" -Wait -PassThru
if ($setup.ExitCode -ne 0) { throw "the installer exited with code $($setup.ExitCode)" }

$bin = Join-Path $InstallDir 'bin'
$expected = 'bin\lookbook.exe', 'bin\lookbook-cli.exe', 'bin\qt.conf', 'bin\Qt6Core.dll', 'bin\Qt6Widgets.dll',
            'bin\models\resnet50_keras_imagenet.onnx', 'plugins\platforms\qwindows.dll',
            'plugins\imageformats\qjpeg.dll', 'plugins\imageformats\qwebp.dll', 'plugins\imageformats\qtiff.dll',
            'Uninstall.exe'
foreach ($file in $expected) {
    if (-not (Test-Path (Join-Path $InstallDir $file))) { throw "the installation lacks $file" }
}
Write-Host "Installed DLLs:" ((Get-ChildItem $bin -Filter *.dll).Name -join ' ')

$menus = "$env:ProgramData\Microsoft\Windows\Start Menu\Programs", "$env:APPDATA\Microsoft\Windows\Start Menu\Programs"
$shortcut = Get-ChildItem -Path $menus -Recurse -Filter 'Lookbook.lnk' -ErrorAction SilentlyContinue | Select-Object -First 1
if (-not $shortcut) { throw "no Start menu shortcut Lookbook.lnk" }
Write-Host "Start menu: $($shortcut.FullName)"

$work = Join-Path ([IO.Path]::GetTempPath()) 'lookbook-smoke-work'
if (Test-Path $work) { Remove-Item -Recurse -Force $work }
$catalog = Join-Path $work 'catalog'
New-Item -ItemType Directory -Force $catalog | Out-Null
Copy-Item (Join-Path $Images 'cmyk.jpg'), (Join-Path $Images 'exif-orientation-6.jpg') $catalog
$cache = Join-Path $work 'smoke.lbi'

$saved = @{}
foreach ($name in 'PATH', 'QT_PLUGIN_PATH', 'QT_QPA_PLATFORM_PLUGIN_PATH', 'LOOKBOOK_MODEL', 'LOOKBOOK_SHARED',
                  'QT_COMMAND_LINE_PARSER_NO_GUI_MESSAGE_BOXES') {
    $saved[$name] = [Environment]::GetEnvironmentVariable($name)
}
try {
    $env:PATH = "$env:SystemRoot\System32;$env:SystemRoot;$env:SystemRoot\System32\Wbem"
    foreach ($name in 'QT_PLUGIN_PATH', 'QT_QPA_PLATFORM_PLUGIN_PATH', 'LOOKBOOK_MODEL', 'LOOKBOOK_SHARED') {
        [Environment]::SetEnvironmentVariable($name, $null)
    }
    $env:QT_COMMAND_LINE_PARSER_NO_GUI_MESSAGE_BOXES = '1'

    Invoke-Program (Join-Path $bin 'lookbook-cli.exe') @('--version') | Out-Null
    Invoke-Program (Join-Path $bin 'lookbook.exe') @('--version') | Out-Null   # loads Qt's windows platform plugin
    $indexed = Invoke-Program (Join-Path $bin 'lookbook-cli.exe') @('index', $catalog, '--cache', $cache)
    if ($indexed -notmatch 'Embedded: 2 ') { throw "lookbook-cli index did not embed the 2 test images" }
    $found = Invoke-Program (Join-Path $bin 'lookbook-cli.exe') @('query', $catalog, (Join-Path $catalog 'cmyk.jpg'), '--cache', $cache, '-k', '1')
    if ($found -notmatch 'exif-orientation-6\.jpg') { throw "lookbook-cli query did not find the other test image" }
}
finally {
    foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
}

# _?= runs the uninstaller in place and waits for it.
$uninstall = Start-Process -FilePath (Join-Path $InstallDir 'Uninstall.exe') -ArgumentList '/S', "_?=$InstallDir" -Wait -PassThru
if ($uninstall.ExitCode -ne 0) { throw "the uninstaller exited with code $($uninstall.ExitCode)" }
if (Test-Path (Join-Path $bin 'lookbook.exe')) { throw "the uninstaller left bin\lookbook.exe" }
Write-Host "Smoke test passed: installed, ran, indexed, searched and uninstalled."

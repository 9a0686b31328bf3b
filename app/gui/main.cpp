// Entry point of the desktop app: `lookbook [CATALOG]`. The window shows at once; the model
// and the catalog's index load in the background. With LOOKBOOK_TIMING=1 it prints timing
// lines on stderr (ui/TimingLog.h).
#include "MainWindow.h"
#include "ProcessClock.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QIcon>

#include <cstring>

int main(int argc, char *argv[])
{
    lookbook::ProcessClock::start(); // the origin of the timings where the OS cannot tell the process start
    // --help and --version answer without a display (over SSH): QApplication aborts when it
    // cannot reach one, so those two run on the offscreen platform.
    for (int i = 1; i < argc; ++i)
        for (const char *option : {"-h", "--help", "--help-all", "-v", "--version"})
            if (std::strcmp(argv[i], option) == 0 && !qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
                qputenv("QT_QPA_PLATFORM", "offscreen");

    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Lookbook"));
    QApplication::setApplicationName(QStringLiteral("Lookbook"));
    QApplication::setApplicationDisplayName(QStringLiteral("Lookbook"));
    QApplication::setApplicationVersion(QStringLiteral(LOOKBOOK_VERSION));
    // The id of the installed desktop entry and AppStream metadata (resources/linux/): the
    // desktop shell matches the window to them (Wayland, task bars).
    QApplication::setDesktopFileName(QStringLiteral("io.lookbook.Lookbook"));
    QIcon icon; // compiled in from resources/icons (app/gui/CMakeLists.txt)
    for (const int size : {16, 24, 32, 48, 64, 128, 256})
        icon.addFile(QStringLiteral(":/lookbook/icons/hicolor/%1x%1/apps/lookbook.png").arg(size), QSize(size, size));
    QApplication::setWindowIcon(icon);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Lookbook: drop any picture and see the catalog items that look most like it."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("CATALOG"), QStringLiteral("The catalog folder to open (default: the last one)."),
                                 QStringLiteral("[CATALOG]"));
    parser.addPositionalArgument(QStringLiteral("IMAGE"),
                                 QStringLiteral("An image to search with (alone: in the last catalog)."), QStringLiteral("[IMAGE]"));
    const QCommandLineOption model(QStringLiteral("model"), QStringLiteral("The ONNX model file."), QStringLiteral("path"));
    const QCommandLineOption cache(QStringLiteral("cache"), QStringLiteral("The cache file for CATALOG."), QStringLiteral("file"));
    parser.addOptions({model, cache});
    parser.process(app);

    lookbook::MainWindow::Options options;
    // Folders are catalogs, files are queries: `lookbook photo.jpg` (a file manager's
    // "Open with") searches the last catalog.
    for (const QString &argument : parser.positionalArguments()) {
        if (QFileInfo(argument).isDir()) options.catalog = argument;
        else options.queryImage = argument;
    }
    options.modelPath = parser.value(model);
    options.cachePath = parser.value(cache);
    lookbook::MainWindow window(options);
    window.show();
    window.start(); // at once, not after the first paint: the cache read overlaps it
    return QApplication::exec();
}

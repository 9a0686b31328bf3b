// Entry point of lookbook-cli; the commands are in CliCommands (the dispatch) and one
// *Command.cpp file each, the work in the core.
#include "CliCommands.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Lookbook"));
    QCoreApplication::setApplicationName(QStringLiteral("lookbook-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LOOKBOOK_VERSION));
    return lookbook::cli::run(QCoreApplication::arguments());
}

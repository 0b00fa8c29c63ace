#ifndef NTBOX_KM_LIST_H
#define NTBOX_KM_LIST_H

#endif
